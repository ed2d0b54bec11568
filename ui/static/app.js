// ptacycle's one script. The Content-Security-Policy forbids inline scripts
// and event handlers, so the templates ask for behaviour with data attributes
// and this file provides it, by event delegation on the document.
(function () {
  "use strict";

  // A date typed that is no date (31/02) leaves the field empty, and a form
  // with novalidate would send it so: the field refuses it where it is, with
  // the message of <body data-bad-date>, and the form is not sent. Forms
  // without novalidate are stopped by the browser itself.
  document.addEventListener("submit", function (event) {
    var bad = null;
    event.target.querySelectorAll("input[type=date]").forEach(function (input) {
      var shown = document.getElementById("bad-" + input.id);
      if (!input.validity.badInput) {
        if (shown) {
          shown.remove();
          input.removeAttribute("aria-invalid");
        }
        return;
      }
      bad = bad || input;
      if (!shown) {
        shown = document.createElement("p");
        shown.className = "field-error";
        shown.id = "bad-" + input.id;
        shown.setAttribute("data-testid", "bad-date-" + input.name);
        shown.textContent = document.body.getAttribute("data-bad-date");
        input.insertAdjacentElement("afterend", shown);
      }
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", shown.id);
    });
    if (bad) {
      event.preventDefault();
      event.stopImmediatePropagation();
      bad.focus();
    }
  }, true);

  // <form data-confirm="question">, or a submit button with it: sent only
  // once the user confirms.
  document.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    var question = (submitter && submitter.getAttribute("data-confirm")) || event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // <button data-print>: prints the page.
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) {
      window.print();
    }
  });

  // <input type="file" data-max-bytes="n" data-too-large="message">: a file
  // over n bytes is refused at once, before minutes of upload on a slow link
  // (the server refuses it too).
  document.addEventListener("change", function (event) {
    var input = event.target;
    var max = Number(input.getAttribute("data-max-bytes"));
    if (!max || !input.files) {
      return;
    }
    var file = input.files[0];
    input.setCustomValidity(file && file.size > max ? input.getAttribute("data-too-large") : "");
    input.reportValidity();
  });

  // Inside [data-row-errors], a table row's request refused with 409 or 422
  // brings back the row (its form and the error) to swap in; any other failure
  // opens the request's URL as a page, which says why.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (event.target.tagName !== "TR" || xhr.status < 400 || !event.target.closest("[data-row-errors]")) {
      return;
    }
    if ((xhr.status === 409 || xhr.status === 422) && xhr.responseText.trimStart().startsWith("<tr")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    } else {
      window.location.assign(event.detail.pathInfo.requestPath);
    }
  });
})();
