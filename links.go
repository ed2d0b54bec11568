package ptacycle

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"time"
)

// LinkValidity is how long a one-click update link works.
const LinkValidity = 30 * 24 * time.Hour

// A one-click link lets an owner report on one activity from a reminder
// without a password: the token names the activity, the owner and the
// expiry, and carries an HMAC-SHA256 of them (truncated to 128 bits) under
// the deployment's secret.
const (
	linkPayload = 24
	linkMAC     = 16
)

// SignLink returns the token of a link for user to update activity until expires.
func SignLink(secret []byte, activityID, userID int64, expires time.Time) string {
	b := make([]byte, linkPayload, linkPayload+linkMAC)
	binary.BigEndian.PutUint64(b[0:], uint64(activityID))
	binary.BigEndian.PutUint64(b[8:], uint64(userID))
	binary.BigEndian.PutUint64(b[16:], uint64(expires.Unix()))
	return base64.RawURLEncoding.EncodeToString(append(b, linkSum(secret, b)...))
}

// VerifyLink checks token and returns the activity and user it names.
// EFORBIDDEN for a malformed, forged or expired link.
func VerifyLink(secret []byte, token string, now time.Time) (activityID, userID int64, err error) {
	b, decodeErr := base64.RawURLEncoding.Strict().DecodeString(token) // strict: one spelling per token
	if decodeErr != nil || len(b) != linkPayload+linkMAC || !hmac.Equal(b[linkPayload:], linkSum(secret, b[:linkPayload])) {
		return 0, 0, Errorf(EFORBIDDEN, "Ce lien n'est pas valide : utilisez le dernier lien reçu par e-mail, ou connectez-vous",
			"This link is not valid: use the latest link you received, or sign in")
	}
	if expires := time.Unix(int64(binary.BigEndian.Uint64(b[16:])), 0); now.After(expires) {
		return 0, 0, Errorf(EFORBIDDEN, "Ce lien a expiré le %s : connectez-vous pour mettre à jour l'activité",
			"This link expired on %s: sign in to update the activity", DateOf(expires).French())
	}
	return int64(binary.BigEndian.Uint64(b[0:])), int64(binary.BigEndian.Uint64(b[8:])), nil
}

func linkSum(secret, payload []byte) []byte {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("ptacycle update link v1\x00"))
	mac.Write(payload)
	return mac.Sum(nil)[:linkMAC]
}

// ResetValidity is how long a password-reset link works.
const ResetValidity = time.Hour

// A password-reset link names the user and its expiry, and carries an HMAC
// of them and of the user's current password hash: once the password is
// changed (by this link or otherwise) the link no longer verifies, so it
// serves once.
const resetPayload = 16

// SignReset returns the token of a link letting userID, whose password hash
// is currentHash, choose a new password until expires.
func SignReset(secret []byte, userID int64, currentHash string, expires time.Time) string {
	b := make([]byte, resetPayload, resetPayload+linkMAC)
	binary.BigEndian.PutUint64(b[0:], uint64(userID))
	binary.BigEndian.PutUint64(b[8:], uint64(expires.Unix()))
	return base64.RawURLEncoding.EncodeToString(append(b, resetSum(secret, b, currentHash)...))
}

// ResetUser reads the user a reset token names, before VerifyReset checks it
// against their current password hash. EFORBIDDEN for a malformed token.
func ResetUser(token string) (int64, error) {
	b, err := base64.RawURLEncoding.Strict().DecodeString(token)
	if err != nil || len(b) != resetPayload+linkMAC {
		return 0, ResetLinkRefused()
	}
	return int64(binary.BigEndian.Uint64(b[0:])), nil
}

// VerifyReset checks token against the user's current password hash.
// EFORBIDDEN for a malformed, forged, used or expired link.
func VerifyReset(secret []byte, token, currentHash string, now time.Time) error {
	b, err := base64.RawURLEncoding.Strict().DecodeString(token)
	if err != nil || len(b) != resetPayload+linkMAC || !hmac.Equal(b[resetPayload:], resetSum(secret, b[:resetPayload], currentHash)) {
		return ResetLinkRefused()
	}
	if expires := time.Unix(int64(binary.BigEndian.Uint64(b[8:])), 0); now.After(expires) {
		return Errorf(EFORBIDDEN, "Ce lien de réinitialisation a expiré : demandez-en un nouveau", "This reset link has expired: ask for a new one")
	}
	return nil
}

// ResetLinkRefused is the refusal of a reset link that cannot serve.
func ResetLinkRefused() error {
	return Errorf(EFORBIDDEN, "Ce lien de réinitialisation n'est pas valide ou a déjà servi : demandez-en un nouveau",
		"This reset link is not valid or was already used: ask for a new one")
}

func resetSum(secret, payload []byte, currentHash string) []byte {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("ptacycle password reset v1\x00"))
	mac.Write(payload)
	mac.Write([]byte(currentHash))
	return mac.Sum(nil)[:linkMAC]
}
