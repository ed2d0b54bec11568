package ptacycle_test

import (
	"strings"
	"testing"

	"github.com/ptacycle/ptacycle"
)

func TestPassword(t *testing.T) {
	hash, err := ptacycle.HashPassword("grand-bassam-2024")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$") {
		t.Fatalf("hash %q is not an argon2id PHC string", hash)
	}
	if !ptacycle.CheckPassword(hash, "grand-bassam-2024") {
		t.Error("the right password is refused")
	}
	if ptacycle.CheckPassword(hash, "grand-bassam-2025") {
		t.Error("a wrong password is accepted")
	}
	again, _ := ptacycle.HashPassword("grand-bassam-2024")
	if again == hash {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
	for _, bad := range []string{"", "$argon2id$", "$argon2i$v=19$m=1,t=1,p=1$AAAA$AAAA", hash[:len(hash)-4]} {
		if ptacycle.CheckPassword(bad, "grand-bassam-2024") {
			t.Errorf("malformed hash %q accepted", bad)
		}
	}
	t.Run("ErrTooShort", func(t *testing.T) {
		_, err := ptacycle.HashPassword("court")
		if ptacycle.ErrorCode(err) != ptacycle.EINVALID || !strings.Contains(err.Error(), "au moins 10 caractères") {
			t.Errorf("err = %v, want EINVALID in French", err)
		}
	})
}
