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
// without a password: the token names the activity, the owner, the owner's
// link epoch and the expiry, and carries an HMAC-SHA256 of them (truncated
// to 128 bits) under the deployment's secret.
const (
	linkPayload   = 28 // activity, user, epoch (4 bytes), expiry
	linkV1Payload = 24 // activity, user, expiry: the links made before epochs
	linkMAC       = 16

	linkDomain   = "ptacycle update link v2\x00"
	linkV1Domain = "ptacycle update link v1\x00"
)

// UpdateLink is what a one-click link's token says.
type UpdateLink struct {
	ActivityID int64
	UserID     int64
	Epoch      int32 // the user's LinkEpoch when the link was made
	Expires    time.Time
}

// SignLink returns the token of link.
func SignLink(secret []byte, link UpdateLink) string {
	b := make([]byte, linkPayload, linkPayload+linkMAC)
	binary.BigEndian.PutUint64(b[0:], uint64(link.ActivityID))
	binary.BigEndian.PutUint64(b[8:], uint64(link.UserID))
	binary.BigEndian.PutUint32(b[16:], uint32(link.Epoch))
	binary.BigEndian.PutUint64(b[20:], uint64(link.Expires.Unix()))
	return base64.RawURLEncoding.EncodeToString(append(b, linkSum(secret, linkDomain, b)...))
}

// VerifyLink checks token and returns the link it names; the caller compares
// its epoch with the user's. EFORBIDDEN for a malformed, forged or expired link.
func VerifyLink(secret []byte, token string, now time.Time) (UpdateLink, error) {
	link, ok := readLink(secret, token)
	if !ok {
		return UpdateLink{}, Errorf(EFORBIDDEN, "Ce lien n'est pas valide : utilisez le dernier lien reçu par e-mail, ou connectez-vous",
			"This link is not valid: use the latest link you received, or sign in")
	}
	if now.After(link.Expires) {
		return UpdateLink{}, Errorf(EFORBIDDEN, "Ce lien a expiré le %s : connectez-vous pour mettre à jour l'activité",
			"This link expired on %s: sign in to update the activity", DateOf(link.Expires).French())
	}
	return link, nil
}

// readLink decodes and authenticates token in either format.
func readLink(secret []byte, token string) (UpdateLink, bool) {
	b, err := base64.RawURLEncoding.Strict().DecodeString(token) // strict: one spelling per token
	if err != nil {
		return UpdateLink{}, false
	}
	be := binary.BigEndian
	switch {
	case len(b) == linkPayload+linkMAC && hmac.Equal(b[linkPayload:], linkSum(secret, linkDomain, b[:linkPayload])):
		return UpdateLink{ActivityID: int64(be.Uint64(b[0:])), UserID: int64(be.Uint64(b[8:])), Epoch: int32(be.Uint32(b[16:])),
			Expires: time.Unix(int64(be.Uint64(b[20:])), 0)}, true
	case len(b) == linkV1Payload+linkMAC && hmac.Equal(b[linkV1Payload:], linkSum(secret, linkV1Domain, b[:linkV1Payload])):
		// Sent before migration 00010: epoch 0, every user's until their first
		// change. Once LinkValidity has passed after that release, no such link
		// verifies any more and this case can go.
		return UpdateLink{ActivityID: int64(be.Uint64(b[0:])), UserID: int64(be.Uint64(b[8:])),
			Expires: time.Unix(int64(be.Uint64(b[16:])), 0)}, true
	}
	return UpdateLink{}, false
}

func linkSum(secret []byte, domain string, payload []byte) []byte {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(domain))
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
