package server

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ptacycle/ptacycle/app"
)

// A browser that signed in to an account keeps a device cookie for it (OWASP's
// "device cookie"): its attempts on that account are counted under the device
// rather than the account, so that guesses made elsewhere never make its owner
// wait, while guesses made with a stolen cookie still do. The cookie holds a
// random device id and its expiry, with an HMAC of them and of the account's
// key (its lower-cased e-mail, which the cookie does not hold) under the
// deployment's link secret, with a prefix of its own. One account per browser: the last one
// signed in.
const (
	deviceCookie   = "ptacycle_device"
	deviceValidity = 90 * 24 * time.Hour
	deviceID       = 16
	devicePayload  = deviceID + 8 // id, expiry
	deviceMAC      = 16
)

func signDevice(secret []byte, email string, id []byte, expires time.Time) string {
	b := make([]byte, devicePayload, devicePayload+deviceMAC)
	copy(b, id)
	binary.BigEndian.PutUint64(b[deviceID:], uint64(expires.Unix()))
	return base64.RawURLEncoding.EncodeToString(append(b, deviceSum(secret, b, email)...))
}

// verifyDevice returns the device id token holds for email, or false when
// the token is malformed, forged, for another account or expired.
func verifyDevice(secret []byte, token, email string, now time.Time) (string, bool) {
	b, err := base64.RawURLEncoding.Strict().DecodeString(token)
	if err != nil || len(b) != devicePayload+deviceMAC || !hmac.Equal(b[devicePayload:], deviceSum(secret, b[:devicePayload], email)) {
		return "", false
	}
	if expires := time.Unix(int64(binary.BigEndian.Uint64(b[deviceID:])), 0); now.After(expires) {
		return "", false
	}
	return hex.EncodeToString(b[:deviceID]), true
}

func deviceSum(secret, payload []byte, email string) []byte {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("ptacycle device cookie v1\x00"))
	mac.Write(payload)
	mac.Write([]byte(app.AccountKey(email)))
	return mac.Sum(nil)[:deviceMAC]
}

// attemptKey is what a sign-in to email from this browser counts under: its
// device, when it holds a valid device cookie for that account; else the account.
func (s *Server) attemptKey(c *gin.Context, email string) (string, error) {
	token, err := c.Cookie(deviceCookie)
	if err != nil || token == "" {
		return app.AccountKey(email), nil
	}
	secret, err := s.linkSecret(c.Request.Context())
	if err != nil {
		return "", err
	}
	if id, ok := verifyDevice(secret, token, email, s.deps.Clock()); ok {
		return app.DeviceKey(id), nil
	}
	return app.AccountKey(email), nil
}

// rememberDevice gives the browser a new device cookie for email, just signed in.
func (s *Server) rememberDevice(c *gin.Context, email string) error {
	secret, err := s.linkSecret(c.Request.Context())
	if err != nil {
		return err
	}
	id := make([]byte, deviceID)
	if _, err := rand.Read(id); err != nil {
		return err
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: deviceCookie, Value: signDevice(secret, email, id, s.deps.Clock().Add(deviceValidity)),
		Path: "/", MaxAge: int(deviceValidity.Seconds()), HttpOnly: true, Secure: s.deps.SecureCookies, SameSite: http.SameSiteLaxMode})
	return nil
}
