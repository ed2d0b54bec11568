package ptacycle_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ptacycle/ptacycle"
)

func TestLinks(t *testing.T) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	now := time.Date(2024, time.June, 1, 8, 0, 0, 0, time.UTC)
	token := ptacycle.SignLink(secret, 42, 7, now.Add(ptacycle.LinkValidity))
	activity, user, err := ptacycle.VerifyLink(secret, token, now.Add(24*time.Hour))
	if err != nil || activity != 42 || user != 7 {
		t.Fatalf("VerifyLink = %d, %d, %v", activity, user, err)
	}
	tests := []struct {
		name  string
		token string
		at    time.Time
		text  string
	}{
		{"ErrExpired", token, now.Add(31 * 24 * time.Hour), "expiré le 01/07/2024"},
		{"ErrOtherSecret", ptacycle.SignLink([]byte("another-secret-another-secret-xx"), 42, 7, now.Add(time.Hour)), now, "pas valide"},
		{"ErrTampered", flip(token, 10), now, "pas valide"},
		{"ErrTruncated", token[:20], now, "pas valide"},
		{"ErrNotBase64", "%%%", now, "pas valide"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := ptacycle.VerifyLink(secret, tt.token, tt.at)
			if ptacycle.ErrorCode(err) != ptacycle.EFORBIDDEN || !strings.Contains(err.Error(), tt.text) {
				t.Errorf("err = %v, want EFORBIDDEN mentioning %q", err, tt.text)
			}
		})
	}
}

func FuzzVerifyLink(f *testing.F) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	f.Add(ptacycle.SignLink(secret, 1, 2, time.Unix(2e9, 0)))
	f.Add("")
	f.Fuzz(func(t *testing.T, token string) {
		// Never a panic; an accepted token is a well-formed one (40 bytes, base64url).
		if _, _, err := ptacycle.VerifyLink(secret, token, time.Unix(1e9, 0)); err == nil && len(token) != 54 {
			t.Fatalf("accepted a token of %d characters", len(token))
		}
	})
}

// flip changes the character at i.
func flip(s string, i int) string {
	c := byte('A')
	if s[i] == 'A' {
		c = 'B'
	}
	return s[:i] + string(c) + s[i+1:]
}
