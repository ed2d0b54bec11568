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
