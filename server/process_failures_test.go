package server_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/activities"
	"github.com/ptacycle/ptacycle/demo"
)

// TestProcessFailuresShown: what a cycle could not do and went on without
// is listed for the coordinators on the Relances page and in the API, not
// for owners; and a cycle whose workflow stopped on an error says so on the
// dashboard and in the API instead of showing a stage nothing will move.
func TestProcessFailuresShown(t *testing.T) {
	t.Parallel()
	r := mustRealStack(t)
	ctx := context.Background()
	coord := r.as(t, "coordonnateur@cnltp.demo", demo.Password)
	year := time.Now().Year()
	cycle := launched(t, coord, year)
	cy := mustCycle(t, r.db, r.org.ID, year)
	activity := int64(0)
	if err := r.db.Pool.QueryRow(ctx, `SELECT id FROM activities WHERE organisation_id = $1 LIMIT 1`, r.org.ID).Scan(&activity); err != nil {
		activity = 0
	}
	f := ptacycle.ProcessFailure{CycleID: &cy.ID, Key: fmt.Sprintf("%s/failure/1", cy.WorkflowID), Operation: activities.OpRemind,
		ReminderKind: activities.KindOverdue, ErrorCode: ptacycle.EINVALID, ErrorDetail: "adresse du destinataire refusée"}
	if activity != 0 {
		f.ActivityID = &activity
	}
	if _, err := r.db.RecordProcessFailure(ctx, ptacycle.SystemActor(r.org.ID), f); err != nil {
		t.Fatal(err)
	}

	b := signInDemo(t, r.srv.URL, "coordonnateur@cnltp.demo")
	_, page := get(t, b, r.srv.URL+"/relances")
	for _, want := range []string{`data-testid="process-failures"`, "pas pu faire", "Relance · En retard", "adresse du destinataire refusée"} {
		if !strings.Contains(page, want) {
			t.Errorf("the coordinator's Relances page lacks %q", want)
		}
	}
	owner := signInDemo(t, r.srv.URL, "responsable.tonkpi@cnltp.demo")
	if _, page := get(t, owner, r.srv.URL+"/relances"); strings.Contains(page, "process-failures") {
		t.Error("an owner sees the process failures")
	}
	var listed []ptacycle.ProcessFailure
	want(t, coord.do("GET", "/process-failures", nil), 200, "process failures").decode(t, &listed)
	if len(listed) != 1 || listed[0].Operation != activities.OpRemind || listed[0].ErrorDetail != f.ErrorDetail {
		t.Errorf("GET /process-failures = %+v", listed)
	}

	// The cycle's workflow stops on an error (here: terminated).
	if err := r.tc.TerminateWorkflow(ctx, cy.WorkflowID, "", "test: a broken invariant"); err != nil {
		t.Fatal(err)
	}
	_, home := get(t, b, r.srv.URL+"/")
	if !strings.Contains(home, `data-testid="cycle-stopped"`) || !strings.Contains(home, "arrêté sur une erreur") ||
		strings.Contains(home, `data-testid="process-unavailable"`) {
		t.Errorf("the dashboard of a stopped cycle does not say it stopped:\n%s", home)
	}
	var v struct {
		Stopped     bool   `json:"stopped"`
		StatusError string `json:"statusError"`
	}
	want(t, coord.do("GET", cycle, nil), 200, "the stopped cycle").decode(t, &v)
	if !v.Stopped || !strings.Contains(v.StatusError, "arrêté") {
		t.Errorf("GET %s of a stopped cycle = %+v", cycle, v)
	}
}
