package ptacycle

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters from OWASP's password storage recommendations (19 MiB, 2 passes, 1 lane).
const (
	argonMemoryKiB = 19 * 1024
	argonTime      = 2
	argonThreads   = 1
	argonKeyLen    = 32
	argonSaltLen   = 16
)

// hashCost is the memory and passes HashPassword spends: OWASP's, except in
// a test binary, whose thousands of sign-ins check what the hash does, not
// what it costs (a third of the server tests' time went to it). A hash
// records its parameters, so CheckPassword reads either.
var hashCost = func() struct{ memoryKiB, time uint32 } {
	if testing.Testing() {
		return struct{ memoryKiB, time uint32 }{64, 1}
	}
	return struct{ memoryKiB, time uint32 }{argonMemoryKiB, argonTime}
}()

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 10

// ValidatePassword reports a password too short to be accepted.
func ValidatePassword(pw string) error {
	if utf8.RuneCountInString(pw) < MinPasswordLength {
		return &Error{Code: EINVALID, Message: fmt.Sprintf("Le mot de passe doit compter au moins %d caractères", MinPasswordLength),
			English: fmt.Sprintf("The password must be at least %d characters long", MinPasswordLength),
			Fields:  []FieldError{{Field: "password", Message: fmt.Sprintf("Au moins %d caractères", MinPasswordLength), English: fmt.Sprintf("At least %d characters", MinPasswordLength)}}}
	}
	return nil
}

// HashPassword returns pw's argon2id hash in the PHC string format.
func HashPassword(pw string) (string, error) {
	if err := ValidatePassword(pw); err != nil {
		return "", err
	}
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, hashCost.time, hashCost.memoryKiB, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, hashCost.memoryKiB, hashCost.time, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword reports whether pw matches hash (made by HashPassword, possibly with older parameters).
func CheckPassword(hash, pw string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	var memory, passes uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &passes, &threads); err != nil {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, passes, memory, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}
