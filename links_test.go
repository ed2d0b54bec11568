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
	signed := ptacycle.SignLink(secret, 1, 2, time.Unix(2e9, 0))
	f.Add(signed)
	f.Add("")
	f.Add(signed + "A")
	f.Add(signed[:len(signed)-1])
	f.Add(strings.ToUpper(signed))
	f.Add(flip(signed, len(signed)/2))
	for _, c := range "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=" {
		f.Add(signed[:len(signed)-1] + string(c)) // the last character's unused bits
	}
	f.Fuzz(func(t *testing.T, token string) {
		// Never a panic; the one token accepted is the one signed, spelled as
		// SignLink spells it: no other encoding of it, no forgery.
		activity, user, err := ptacycle.VerifyLink(secret, token, time.Unix(1e9, 0))
		switch {
		case err == nil && (token != signed || activity != 1 || user != 2):
			t.Fatalf("accepted %q for activity %d, user %d; only %q was signed", token, activity, user, signed)
		case err != nil && ptacycle.ErrorCode(err) != ptacycle.EFORBIDDEN:
			t.Fatalf("refused %q with %v, want EFORBIDDEN", token, err)
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

func TestResetLinks(t *testing.T) {
	secret := []byte(strings.Repeat("s", 32))
	now := time.Date(2024, time.June, 3, 9, 0, 0, 0, time.UTC)
	token := ptacycle.SignReset(secret, 42, "hash-1", now.Add(ptacycle.ResetValidity))
	if id, err := ptacycle.ResetUser(token); err != nil || id != 42 {
		t.Fatalf("ResetUser = %d, %v", id, err)
	}
	if err := ptacycle.VerifyReset(secret, token, "hash-1", now); err != nil {
		t.Errorf("a fresh link: %v", err)
	}
	for name, err := range map[string]error{
		"PasswordChanged": ptacycle.VerifyReset(secret, token, "hash-2", now),
		"Expired":         ptacycle.VerifyReset(secret, token, "hash-1", now.Add(ptacycle.ResetValidity+time.Second)),
		"OtherSecret":     ptacycle.VerifyReset([]byte(strings.Repeat("x", 32)), token, "hash-1", now),
		"Truncated":       ptacycle.VerifyReset(secret, token[:len(token)-2], "hash-1", now),
		"UpdateLink":      ptacycle.VerifyReset(secret, ptacycle.SignLink(secret, 42, 42, now.Add(time.Hour)), "hash-1", now),
	} {
		if ptacycle.ErrorCode(err) != ptacycle.EFORBIDDEN {
			t.Errorf("%s: %v, want EFORBIDDEN", name, err)
		}
	}
	if _, err := ptacycle.ResetUser("pas un jeton"); ptacycle.ErrorCode(err) != ptacycle.EFORBIDDEN {
		t.Errorf("ResetUser of garbage: %v", err)
	}
	// An update link is no reset link, and the reverse.
	if _, _, err := ptacycle.VerifyLink(secret, token, now); err == nil {
		t.Error("a reset token opens an update link")
	}
}
