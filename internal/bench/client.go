package bench

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// newTransport keeps one connection per concurrent caller alive, as that
// many browsers would; Go's default keeps two and would reconnect constantly.
func newTransport(conns int) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = conns + 10
	t.MaxIdleConnsPerHost = conns + 10
	return t
}

// rawTransport leaves bodies as sent, so that their size over the wire can be counted.
func rawTransport() *http.Transport {
	t := newTransport(1)
	t.DisableCompression = true
	return t
}

// gunzip decompresses a gzip body; a body too small for the server to compress comes back as is.
func gunzip(body []byte) (string, error) {
	if len(body) < 2 || body[0] != 0x1f || body[1] != 0x8b {
		return string(body), nil
	}
	r, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	b, err := io.ReadAll(r)
	return string(b), err
}

// apiClient calls the JSON API with a personal token.
type apiClient struct {
	http  *http.Client
	base  string
	token string
}

// call sends body (JSON, when not nil) and decodes a 200 answer into out;
// it returns the status and how long the round trip took.
func (c apiClient) call(ctx context.Context, method, path string, body, out any) (int, time.Duration, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, 0, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+"/api/v1"+path, r)
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	start := time.Now()
	res, err := c.http.Do(req)
	if err != nil {
		return 0, time.Since(start), err
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusOK && out != nil {
		err = json.NewDecoder(res.Body).Decode(out)
	} else {
		_, err = io.Copy(io.Discard, res.Body)
	}
	elapsed := time.Since(start)
	if err != nil {
		return res.StatusCode, elapsed, fmt.Errorf("%s %s: %w", method, path, err)
	}
	return res.StatusCode, elapsed, nil
}
