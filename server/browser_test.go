package server_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/ptacycle/ptacycle/internal/stacktest"
)

// chrome is a real headless Chromium tab on the test server. Tests need
// Debian's chromium (.ci/run installs it); set CHROMIUM to use another binary.
type chrome struct {
	t       *testing.T
	ctx     context.Context
	base    string
	shots   int
	dir     string
	console *consoleWatch
	dialogs *dialogWatch
}

// dialogWatch answers the page's confirmation dialogs: each is accepted,
// unless the test asked to refuse the next one, and its question is kept.
type dialogWatch struct {
	mu     sync.Mutex
	asked  []string
	refuse bool
}

// answer records question and says whether to accept it.
func (w *dialogWatch) answer(question string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.asked = append(w.asked, question)
	accept := !w.refuse
	w.refuse = false
	return accept
}

// take returns the questions asked so far and forgets them.
func (w *dialogWatch) take() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	a := w.asked
	w.asked = nil
	return a
}

// consoleWatch keeps what the browser's console reports against the product:
// Content-Security-Policy violations and exceptions thrown by its own script.
type consoleWatch struct {
	mu       sync.Mutex
	problems []string
}

func (w *consoleWatch) add(m chromedp.ConsoleMessage) {
	if !strings.Contains(m.Text, "Content Security Policy") && !(m.IsException() && strings.Contains(m.URL, "/static/app.js")) {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.problems = append(w.problems, fmt.Sprintf("%s (%s:%d)", m, m.URL, m.Line))
}

// take returns the problems reported so far and forgets them.
func (w *consoleWatch) take() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	p := w.problems
	w.problems = nil
	return p
}

// Viewports of the journeys: a laptop, and the phone of an owner in a region.
const (
	desktopWidth, desktopHeight = 1280, 900
	phoneWidth, phoneHeight     = 390, 844
)

// findChromium returns the browser's path, "" when there is none.
func findChromium() string {
	for _, p := range []string{os.Getenv("CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"} {
		if p == "" {
			continue
		}
		if _, err := exec.LookPath(p); err == nil {
			return p
		}
	}
	return ""
}

const noChromium = "no Chromium found: install Debian's chromium (apt-get install chromium) or set CHROMIUM"

// chromiumPath returns the browser's path; the full run fails without one.
func chromiumPath(t *testing.T) string {
	t.Helper()
	p := findChromium()
	if p == "" {
		t.Fatal(noChromium)
	}
	return p
}

var browserSkipExplained sync.Once

// skipBrowserInShort leaves the browser tests to the full run: -short needs
// no Chromium. The package's first skip says so in full, the others briefly.
func skipBrowserInShort(t *testing.T) {
	t.Helper()
	if !testing.Short() {
		return
	}
	why := "-short: browser test"
	browserSkipExplained.Do(func() {
		why = "-short skips the browser tests; go test ./... runs them"
		if findChromium() == "" {
			why += " and needs Chromium (" + noChromium + ")"
		}
	})
	t.Skip(why)
}

var unsafeName = regexp.MustCompile(`[^a-zA-Z0-9_-]+`)

// mustChrome starts Chromium with the flags this machine needs and a fresh
// profile, on a tab of the given size; screenshots go to test-artifacts/screenshots/<test>/.
func mustChrome(t *testing.T, baseURL string, width, height int) *chrome {
	t.Helper()
	skipBrowserInShort(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Headless, chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true), chromedp.Flag("disable-quic", true), chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(width, height),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })
	dir := filepath.Join("..", "test-artifacts", "screenshots", unsafeName.ReplaceAllString(t.Name(), "_"))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	// The first run starts the browser and binds it to its context: it must be
	// this one, not the timed children of do.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(width), int64(height))); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	// Every browser test fails on a CSP violation or an exception of app.js.
	watch := &consoleWatch{}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			watch.add(m)
		}
	}()
	t.Cleanup(func() {
		for _, p := range watch.take() {
			t.Errorf("browser console: %s", p)
		}
	})
	// A confirmation dialog holds the click that opened it until answered,
	// from another goroutine than the one receiving the events.
	dialogs := &dialogWatch{}
	opening := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range opening {
			if err != nil {
				return
			}
			accept := dialogs.answer(ev.Message)
			go func() {
				_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: accept})
			}()
		}
	}()
	return &chrome{t: t, ctx: ctx, base: baseURL, dir: dir, console: watch, dialogs: dialogs}
}

// do runs actions with a time limit, failing the test with what was being done.
func (b *chrome) do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.shot("failure")
		b.t.Fatalf("browser: %v", err)
	}
}

func byTestID(id string) chromedp.CSS { return chromedp.CSS(fmt.Sprintf(`[data-testid=%q]`, id)) }

func byName(name string) chromedp.CSS { return chromedp.CSS(fmt.Sprintf(`[name=%q]`, name)) }

// visit opens path and waits for the page.
func (b *chrome) visit(path string) {
	b.t.Helper()
	b.do(chromedp.Navigate(b.base+path), chromedp.WaitReady(chromedp.CSS("body")))
}

// fill sets a form field by name: typed for inputs and text areas, chosen for selects.
func (b *chrome) fill(name, value string) {
	b.t.Helper()
	b.do(chromedp.SetValue(byName(name), value))
}

// click clicks the element with data-testid id.
func (b *chrome) click(id string) {
	b.t.Helper()
	b.do(chromedp.Click(byTestID(id)))
}

// submit clicks a button that loads a new page, and waits for that page:
// the old document is marked first, and gone once the new one is complete.
func (b *chrome) submit(id string) {
	b.t.Helper()
	b.eval("window.__ptacycleOld = true")
	b.click(id)
	loaded := func() bool { return b.eval("window.__ptacycleOld === undefined && document.readyState === 'complete'") }
	stacktest.Eventually(shotOnFailure{b}, 30*time.Second, "browser: a new page after clicking "+id, loaded)
}

// shotOnFailure fails the browser's test as its own, with a screenshot first.
type shotOnFailure struct{ b *chrome }

func (f shotOnFailure) Helper() { f.b.t.Helper() }

func (f shotOnFailure) Fatalf(format string, args ...any) {
	f.b.t.Helper()
	f.b.shot("failure")
	f.b.t.Fatalf(format, args...)
}

// refuseNext makes the next confirmation dialog be answered « Annuler ».
func (b *chrome) refuseNext() {
	b.dialogs.mu.Lock()
	defer b.dialogs.mu.Unlock()
	b.dialogs.refuse = true
}

// asked returns the confirmation questions the pages asked since the last call.
func (b *chrome) asked() []string { return b.dialogs.take() }

// value returns the current value of the form field named name.
func (b *chrome) value(name string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector('[name=%q]').value`, name)))
	if err != nil {
		b.t.Fatalf("browser: value of %s: %v", name, err)
	}
	return v
}

// eval runs a JavaScript expression and returns its boolean value.
func (b *chrome) eval(expr string) bool {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
	if err != nil {
		// A page being replaced has no result; the caller polls again.
		return false
	}
	return v
}

// is runs a JavaScript expression for an assertion: its boolean value, the
// test failing when the page cannot answer (eval, for polling, says false).
func (b *chrome) is(expr string) bool {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
	if err != nil {
		b.shot("failure")
		b.t.Fatalf("browser: %s: %v", expr, err)
	}
	return v
}

// waitFor waits until the element with data-testid id is visible.
func (b *chrome) waitFor(id string) {
	b.t.Helper()
	b.do(chromedp.WaitVisible(byTestID(id)))
}

// text returns the visible text of the element with data-testid id.
func (b *chrome) text(id string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(byTestID(id)))
	if err != nil {
		b.shot("failure")
		b.t.Fatalf("browser: text of %s: %v", id, err)
	}
	return strings.TrimSpace(s)
}

// location returns the current URL's path.
func (b *chrome) location() string {
	b.t.Helper()
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		b.t.Fatal(err)
	}
	return strings.TrimPrefix(loc, b.base)
}

// login signs in through the login form.
func (b *chrome) login(email, password string) {
	b.t.Helper()
	b.visit("/login")
	b.fill("email", email)
	b.fill("password", password)
	b.submit("login-submit")
}

// logout signs out through the menu.
func (b *chrome) logout() {
	b.t.Helper()
	b.submit("logout")
	b.waitFor("login-form")
}

// printPDF prints the page as the browser's « Enregistrer en PDF » does, on
// the page size of its CSS, with the outline of its headings for readPrintedPDF.
func (b *chrome) printPDF() []byte {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	pdf, err := chromedp.Run(ctx, func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
		res, err := cdp.Call(ctx, t, page.PrintToPDF, page.PrintToPDFParams{PreferCSSPageSize: ptr(true), GenerateTaggedPDF: ptr(true), GenerateDocumentOutline: ptr(true)})
		return res.Data, err
	})
	if err != nil {
		b.t.Fatalf("browser: printing %s: %v", b.location(), err)
	}
	return pdf
}

// shot writes a full-page screenshot as a test artifact, numbered in order.
func (b *chrome) shot(name string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return
	}
	b.shots++
	path := filepath.Join(b.dir, fmt.Sprintf("%02d-%s.png", b.shots, unsafeName.ReplaceAllString(name, "-")))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
	}
}
