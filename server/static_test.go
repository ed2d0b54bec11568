package server_test

import (
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/ptacycle/ptacycle/ui"
)

// fetchGzip gets url asking for gzip and returns the bytes on the wire and the decoded body.
func fetchGzip(t *testing.T, c *http.Client, url string) (int, string, *http.Response) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := c.Transport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	wire, _ := io.ReadAll(resp.Body)
	body := string(wire)
	if resp.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(zr)
		body = string(b)
	}
	return len(wire), body, resp
}

func TestStaticAssets(t *testing.T) {
	t.Parallel()
	a := mustApp(t, unreachableTemporal(t))
	client := &http.Client{Transport: http.DefaultTransport}
	total := 0
	for _, name := range []string{"app.css", "htmx.min.js", "app.js"} {
		url := a.srv.URL + ui.AssetURL(name)
		wire, body, resp := fetchGzip(t, client, url)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Encoding") != "gzip" || len(body) <= wire {
			t.Errorf("%s: status %d, encoding %q, %d bytes on the wire for %d", name, resp.StatusCode, resp.Header.Get("Content-Encoding"), wire, len(body))
		}
		if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
			t.Errorf("%s: Cache-Control %q, want a year, immutable (the URL is versioned)", name, cc)
		}
		total += wire
	}
	if total > 30*1024 {
		t.Errorf("CSS and scripts weigh %d bytes compressed: too much of a 100 KB page budget", total)
	}
	if !strings.Contains(ui.AssetURL("app.css"), "?v=") {
		t.Errorf("asset URL %q is not versioned", ui.AssetURL("app.css"))
	}
}
