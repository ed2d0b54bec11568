package ptacycle

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"
)

// TestHashCostOfTests: a test binary hashes cheaply, and says so in the
// hash it writes; CheckPassword still reads a hash made at OWASP's cost, as
// a deployment stores them.
func TestHashCostOfTests(t *testing.T) {
	hash, err := HashPassword("mot-de-passe-solide")
	if err != nil || !strings.Contains(hash, "$m=64,t=1,p=1$") || !CheckPassword(hash, "mot-de-passe-solide") {
		t.Fatalf("a test binary's hash = %q, %v", hash, err)
	}
	salt := []byte("sel-de-test-1234")
	key := argon2.IDKey([]byte("mot-de-passe-solide"), salt, argonTime, argonMemoryKiB, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	stored := fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemoryKiB, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key))
	if !CheckPassword(stored, "mot-de-passe-solide") || CheckPassword(stored, "autre-mot-de-passe") {
		t.Errorf("a hash at OWASP's cost is not read as made: %s", stored)
	}
}
