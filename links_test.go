package ptacycle_test

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/ptacycle/ptacycle"
)

// v1Link is a token of the format before link epochs, made by that code:
// activity 42, user 7, expiring on 1 July 2024 at 08:00 UTC, under linkSecret.
const v1Link = "AAAAAAAAACoAAAAAAAAABwAAAABmgmIARXhxhY9YBV6oxcKMSSjiBQ"

var linkSecret = []byte("0123456789abcdef0123456789abcdef")

func TestLinks(t *testing.T) {
	now := time.Date(2024, time.June, 1, 8, 0, 0, 0, time.UTC)
	signed := ptacycle.UpdateLink{ActivityID: 42, UserID: 7, Epoch: 3, Expires: now.Add(ptacycle.LinkValidity)}
	token := ptacycle.SignLink(linkSecret, signed)
	got, err := ptacycle.VerifyLink(linkSecret, token, now.Add(24*time.Hour))
	if err != nil || got.ActivityID != 42 || got.UserID != 7 || got.Epoch != 3 || !got.Expires.Equal(signed.Expires) {
		t.Fatalf("VerifyLink = %+v, %v; want %+v", got, err, signed)
	}
	t.Run("EpochSigned", func(t *testing.T) {
		// Each epoch spells another token, and none verifies as another epoch.
		other := signed
		other.Epoch = 4
		if ptacycle.SignLink(linkSecret, other) == token {
			t.Fatal("epochs 3 and 4 give the same token")
		}
		b, _ := base64.RawURLEncoding.DecodeString(token)
		b[19] ^= 0x07 // the epoch's last byte: 3 becomes 4
		if _, err := ptacycle.VerifyLink(linkSecret, base64.RawURLEncoding.EncodeToString(b), now); ptacycle.ErrorCode(err) != ptacycle.EFORBIDDEN {
			t.Errorf("a token whose epoch was rewritten: %v, want EFORBIDDEN", err)
		}
	})
	t.Run("V1ReadAsEpochZero", func(t *testing.T) {
		// Links sent before epochs keep working for a user whose epoch is still 0.
		got, err := ptacycle.VerifyLink(linkSecret, v1Link, now.Add(24*time.Hour))
		want := time.Date(2024, time.July, 1, 8, 0, 0, 0, time.UTC)
		if err != nil || got.ActivityID != 42 || got.UserID != 7 || got.Epoch != 0 || !got.Expires.Equal(want) {
			t.Errorf("VerifyLink(v1) = %+v, %v; want activity 42, user 7, epoch 0, expiring %v", got, err, want)
		}
	})
	otherSecret := []byte("another-secret-another-secret-xx")
	tests := []struct {
		name   string
		token  string
		secret []byte // nil: linkSecret
		at     time.Time
		text   string
	}{
		{"ErrExpired", token, nil, now.Add(31 * 24 * time.Hour), "expiré le 01/07/2024"},
		{"ErrOtherSecret", token, otherSecret, now, "pas valide"},
		{"ErrTampered", flip(token, 10), nil, now, "pas valide"},
		{"ErrTruncated", token[:20], nil, now, "pas valide"},
		{"ErrNotBase64", "%%%", nil, now, "pas valide"},
		{"ErrV1Expired", v1Link, nil, now.Add(31 * 24 * time.Hour), "expiré le 01/07/2024"},
		{"ErrV1OtherSecret", v1Link, otherSecret, now, "pas valide"},
		{"ErrV1Tampered", flip(v1Link, 10), nil, now, "pas valide"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			secret := tt.secret
			if secret == nil {
				secret = linkSecret
			}
			_, err := ptacycle.VerifyLink(secret, tt.token, tt.at)
			if ptacycle.ErrorCode(err) != ptacycle.EFORBIDDEN || !strings.Contains(err.Error(), tt.text) {
				t.Errorf("err = %v, want EFORBIDDEN mentioning %q", err, tt.text)
			}
		})
	}
}

func FuzzVerifyLink(f *testing.F) {
	signed := ptacycle.SignLink(linkSecret, ptacycle.UpdateLink{ActivityID: 1, UserID: 2, Epoch: 5, Expires: time.Unix(2e9, 0)})
	for _, token := range []string{signed, v1Link} {
		f.Add(token)
		f.Add(token + "A")
		f.Add(token[:len(token)-1])
		f.Add(strings.ToUpper(token))
		f.Add(flip(token, len(token)/2))
		for _, c := range "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=" {
			f.Add(token[:len(token)-1] + string(c)) // the last character's unused bits
		}
	}
	f.Add("")
	f.Fuzz(func(t *testing.T, token string) {
		// Never a panic; the tokens accepted are the two signed, spelled as
		// they were made: no other encoding of them, no forgery.
		link, err := ptacycle.VerifyLink(linkSecret, token, time.Unix(1e9, 0))
		switch {
		case err == nil && token == signed && (link.ActivityID != 1 || link.UserID != 2 || link.Epoch != 5):
			t.Fatalf("read %q as %+v", token, link)
		case err == nil && token == v1Link && (link.ActivityID != 42 || link.UserID != 7 || link.Epoch != 0):
			t.Fatalf("read the v1 link as %+v", link)
		case err == nil && token != signed && token != v1Link:
			t.Fatalf("accepted %q as %+v; only %q and %q were signed", token, link, signed, v1Link)
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
		"UpdateLink":      ptacycle.VerifyReset(secret, ptacycle.SignLink(secret, ptacycle.UpdateLink{ActivityID: 42, UserID: 42, Expires: now.Add(time.Hour)}), "hash-1", now),
	} {
		if ptacycle.ErrorCode(err) != ptacycle.EFORBIDDEN {
			t.Errorf("%s: %v, want EFORBIDDEN", name, err)
		}
	}
	if _, err := ptacycle.ResetUser("pas un jeton"); ptacycle.ErrorCode(err) != ptacycle.EFORBIDDEN {
		t.Errorf("ResetUser of garbage: %v", err)
	}
	// An update link is no reset link, and the reverse.
	if _, err := ptacycle.VerifyLink(secret, token, now); err == nil {
		t.Error("a reset token opens an update link")
	}
}
