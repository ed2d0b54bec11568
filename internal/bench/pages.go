package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/ptacycle/ptacycle/demo"
)

// pageBudget is DESIGN's ceiling for a page over the wire.
const pageBudget = 100 * 1024

// PageResult is one page as its user gets it.
type PageResult struct {
	Path   string
	As     string // the demo account
	Bytes  int    // the HTML over the wire, gzip
	Assets int    // its stylesheet and scripts over the wire, gzip: the first visit only (then cached for a year)
	Median time.Duration
}

// FirstVisit is what a phone downloads the first time it opens the page.
func (p PageResult) FirstVisit() int { return p.Bytes + p.Assets }

// PagesResult holds every main page and the round trip they are compared with.
type PagesResult struct {
	Repeat  int
	Healthz time.Duration // median GET /healthz: an HTTP round trip through the same middleware
	Pages   []PageResult
}

// demoPages are the main pages of the demo's 2024 cycle, by account.
var demoPages = []struct{ as, path string }{
	{"coordonnateur@cnltp.demo", "/"},
	{"coordonnateur@cnltp.demo", "/cycles/2024/bilan"},
	{"coordonnateur@cnltp.demo", "/cycles/2024/bilan/rapport"},
	{"coordonnateur@cnltp.demo", "/cycles/2024/recommandations"},
	{"coordonnateur@cnltp.demo", "/cycles/2024/pta"},
	{"coordonnateur@cnltp.demo", "/cycles/2024/validation"},
	{"coordonnateur@cnltp.demo", "/cycles/2024/execution"},
	{"responsable.tonkpi@cnltp.demo", "/mes-activites"},
	{"coordonnateur@cnltp.demo", "/relances"},
	{"coordonnateur@cnltp.demo", "/journal"},
	{"admin@cnltp.demo", "/admin"},
}

var assetPattern = regexp.MustCompile(`(?:href|src)="(/static/[^"]+)"`)

// runPages signs in as each demo account (the demo must be loaded) and
// measures every main page: its size compressed as browsers ask for it, and
// the median time to get it.
func runPages(ctx context.Context, s *Stack, repeat int) (PagesResult, error) {
	r := PagesResult{Repeat: repeat}
	sessions := map[string]*http.Client{}
	assets := map[string]int{}
	for _, p := range demoPages {
		c, ok := sessions[p.as]
		if !ok {
			var err error
			if c, err = signIn(ctx, s.URL, p.as); err != nil {
				return r, err
			}
			sessions[p.as] = c
		}
		body, err := get(ctx, c, s.URL+p.path, "")
		if err != nil {
			return r, err
		}
		page := PageResult{Path: p.path, As: p.as, Bytes: len(body)}
		html, err := gunzip(body)
		if err != nil {
			return r, fmt.Errorf("%s: %w", p.path, err)
		}
		for _, m := range assetPattern.FindAllStringSubmatch(html, -1) {
			if _, ok := assets[m[1]]; !ok {
				asset, err := get(ctx, c, s.URL+m[1], "")
				if err != nil {
					return r, err
				}
				assets[m[1]] = len(asset)
			}
			page.Assets += assets[m[1]]
		}
		if page.Median, err = medianGet(ctx, c, s.URL+p.path, repeat); err != nil {
			return r, err
		}
		r.Pages = append(r.Pages, page)
	}
	var err error
	r.Healthz, err = medianGet(ctx, sessions[demoPages[0].as], s.URL+"/healthz", repeat)
	return r, err
}

// signIn opens a session as a demo account, through the login form.
func signIn(ctx context.Context, base, email string) (*http.Client, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, err
	}
	c := &http.Client{Transport: rawTransport(), Jar: jar, Timeout: time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	form := url.Values{"email": {email}, "password": {demo.Password}, "next": {"/"}}
	req, err := http.NewRequestWithContext(ctx, "POST", base+"/login", strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		return nil, fmt.Errorf("sign-in as %s: status %d", email, res.StatusCode)
	}
	return c, nil
}

// get returns the body of a 200 answer as sent, asking for gzip as browsers
// do; c must not decompress (Transport.DisableCompression).
func get(ctx context.Context, c *http.Client, url, authorization string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept-Encoding", "gzip")
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	res, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err == nil && res.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET %s: status %d", url, res.StatusCode)
	}
	return body, err
}

func medianGet(ctx context.Context, c *http.Client, url string, repeat int) (time.Duration, error) {
	return medianOf(repeat, func() (time.Duration, error) {
		return timed(func() error {
			_, err := get(ctx, c, url, "")
			return err
		})
	})
}
