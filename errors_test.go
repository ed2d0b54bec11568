package ptacycle_test

import (
	"testing"

	"github.com/ptacycle/ptacycle"
)

func TestJoinValidation(t *testing.T) {
	var a, b ptacycle.Validation
	a.Add("progress", "Avancement invalide", "Invalid progress")
	b.Add("evidenceFile", "Preuve : fichier vide", "Evidence: empty file")
	conflict := ptacycle.Errorf(ptacycle.ECONFLICT, "Périmé", "Stale")
	joined, ok := ptacycle.JoinValidation(a.Err(), b.Err()).(*ptacycle.Error)
	if !ok || joined.Code != ptacycle.EINVALID || len(joined.Fields) != 2 || joined.Fields[0].Field != "progress" || joined.Fields[1].Field != "evidenceFile" {
		t.Errorf("joined = %+v", joined)
	}
	if err := ptacycle.JoinValidation(nil, b.Err()); err == nil || err.Error() != b.Err().Error() {
		t.Errorf("JoinValidation(nil, b) = %v", err)
	}
	if err := ptacycle.JoinValidation(conflict, b.Err()); err != conflict {
		t.Errorf("JoinValidation(conflict, b) = %v, want the conflict", err)
	}
	if err := ptacycle.JoinValidation(a.Err(), conflict); err != conflict {
		t.Errorf("JoinValidation(a, conflict) = %v, want the conflict", err)
	}
	if err := ptacycle.JoinValidation(nil, nil); err != nil {
		t.Errorf("JoinValidation(nil, nil) = %v", err)
	}
}

// TestValidationCountsFields: a form announces the fields it marks; two
// problems of one field are one field to correct.
func TestValidationCountsFields(t *testing.T) {
	var one ptacycle.Validation
	one.Add("password", "Au moins 12 caractères", "At least 12 characters")
	one.Add("password", "Trop courant", "Too common")
	if e := one.Err().(*ptacycle.Error); e.Message != "Au moins 12 caractères" || len(e.Fields) != 2 {
		t.Errorf("two problems of one field: %q, %d fields", e.Message, len(e.Fields))
	}
	two := ptacycle.JoinValidation(one.Err(), ptacycle.Invalid(ptacycle.FieldError{Field: "email", Message: "Adresse déjà utilisée", English: "Address already used"}))
	if e := two.(*ptacycle.Error); e.Message != "2 champs sont à corriger : Au moins 12 caractères" || e.English != "2 fields need fixing: At least 12 characters" {
		t.Errorf("two fields, three problems: %q / %q", e.Message, e.English)
	}
}
