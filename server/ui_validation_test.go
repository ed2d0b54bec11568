package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/demo"
)

// validationSubmit freezes the fixture's plan as version 1 and puts the
// cycle in validation, directly in the store: Temporal is unreachable here.
func validationSubmit(t *testing.T, f *accessFixture) ptacycle.PlanVersion {
	t.Helper()
	ctx := context.Background()
	plan, _ := f.app.db.Plan(ctx, f.demoOrg.ID, f.year)
	v, err := f.app.db.FreezePlan(ctx, ptacycle.SystemActor(f.demoOrg.ID), plan.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.app.db.Pool.Exec(ctx, `UPDATE cycles SET stage = 'validation' WHERE organisation_id = $1 AND year = $2`, f.demoOrg.ID, f.year); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestValidationPage(t *testing.T) {
	t.Parallel()
	f := mustAccessFixture(t)
	base := f.app.srv.URL
	page := fmt.Sprintf("%s/cycles/%d/validation", base, f.year)
	approver := signInAs(t, base, "approver")
	hash, _ := ptacycle.HashPassword("mot-de-passe-solide")
	if _, err := f.app.db.CreateUser(context.Background(), ptacycle.SystemActor(f.demoOrg.ID),
		ptacycle.User{Email: "adjoint@cnltp.demo", FullName: "Adjoint au ministère", Role: ptacycle.RoleApprover}, hash); err != nil {
		t.Fatal(err)
	}

	t.Run("NothingSubmitted", func(t *testing.T) {
		status, body := get(t, approver, page)
		execExpect(t, "validation while drafting", status, body, http.StatusOK,
			[]string{`data-testid="validation"`, `data-testid="chain"`, `data-testid="chain-level-1"`, `data-testid="no-version"`, "pas encore été soumis",
				`data-testid="status-error"`, "Représentante du ministère", `data-testid="delegate-form"`, "Adjoint au ministère"},
			`data-testid="decision-form"`, `data-testid="diff"`)
	})

	v := validationSubmit(t, f)
	t.Run("UnderReview", func(t *testing.T) {
		status, body := get(t, approver, page)
		execExpect(t, "validation of v1", status, body, http.StatusOK,
			[]string{`data-testid="version"`, "Version 1 du PTA", v.ContentHash[:12], `data-testid="version-content"`, "Former 50 acteurs",
				`data-testid="diff"`, `data-testid="diff-first"`, `aria-current="step"`, `data-testid="deciders"`,
				`data-testid="decision-form"`, `name="level" value="1"`, `name="version" value="1"`, `data-testid="approve"`, `data-testid="send-back"`,
				"Renvoyer pour correction", `data-testid="decisions"`, "Aucune décision"})
		if n := gzipSize(t, body); n > 60_000 {
			t.Errorf("validation page weighs %d bytes gzipped", n)
		}
		status, body = get(t, approver, page+"?lang=en")
		execExpect(t, "validation in English", status, body, http.StatusOK, []string{"Approval of the 2024 plan", "Send back for correction", "Approval chain"})
		get(t, approver, page+"?lang=fr")
	})
	t.Run("ReadOnly", func(t *testing.T) {
		for _, role := range []string{"coordinator", "partner"} {
			status, body := get(t, signInAs(t, base, role), page)
			execExpect(t, "validation as "+role, status, body, http.StatusOK, []string{"Version 1 du PTA"}, "decision-form", "delegate-form")
		}
	})
	t.Run("ErrSendBackWithoutComment", func(t *testing.T) {
		status, body := post(t, approver, page[:len(page)-len("validation")]+"decision", url.Values{"level": {"1"}, "version": {"1"}, "outcome": {"sent_back"}, "comment": {"  "}})
		execExpect(t, "send-back without comment", status, body, http.StatusUnprocessableEntity,
			[]string{`data-testid="error-comment"`, "Un renvoi doit être motivé par un commentaire", `data-testid="decision-form"`})
		decisions, _ := f.app.db.Decisions(context.Background(), f.demoOrg.ID, v.PlanID)
		if len(decisions) != 0 {
			t.Errorf("a refused decision was stored: %+v", decisions)
		}
	})
	t.Run("ErrTemporalDown", func(t *testing.T) {
		status, body := post(t, approver, page[:len(page)-len("validation")]+"decision", url.Values{"level": {"1"}, "version": {"1"}, "outcome": {"approved"}, "comment": {"Bon plan"}})
		execExpect(t, "approval while Temporal is down", status, body, http.StatusServiceUnavailable,
			[]string{"injoignable", `data-testid="form-error"`, "Bon plan"})
	})
	t.Run("ErrDelegation", func(t *testing.T) {
		status, body := post(t, approver, page[:len(page)-len("validation")]+"delegation", url.Values{"level": {"1"}, "to": {""}, "until": {""}})
		execExpect(t, "delegation without delegate nor date", status, body, http.StatusUnprocessableEntity,
			[]string{`data-testid="error-to"`, `data-testid="error-until"`, "Choisissez le valideur"})
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		coord := signInAs(t, base, "coordinator")
		status, _ := post(t, coord, page[:len(page)-len("validation")]+"decision", url.Values{"level": {"1"}, "version": {"1"}, "outcome": {"approved"}})
		if status != http.StatusForbidden {
			t.Errorf("coordinator deciding: %d, want 403", status)
		}
		status, _ = post(t, signInAs(t, base, "owner"), page[:len(page)-len("validation")]+"delegation", url.Values{"level": {"1"}})
		if status != http.StatusForbidden {
			t.Errorf("owner delegating: %d, want 403", status)
		}
	})
}

// validationRow is the HTML of the table row or card whose data-testid is testid, to check what it shows.
func validationRow(t *testing.T, body, testid string) string {
	t.Helper()
	i := strings.Index(body, `data-testid="`+testid+`"`)
	if i < 0 {
		t.Fatalf("no %s in the page\n%s", testid, execExcerpt(body))
	}
	row := body[i:]
	if j := strings.Index(row, "</tr>"); j >= 0 {
		row = row[:j]
	}
	return row
}

// TestValidationToExecution drives the validation, my-activities and execution
// pages on the real stack: a send-back, a diff, a delegated approval, then an
// owner's report that the coordinator's execution table shows.
func TestValidationToExecution(t *testing.T) {
	t.Parallel()
	r := mustRealStack(t)
	base := r.srv.URL
	year := time.Now().Year()
	cycle := fmt.Sprintf("/cycles/%d", year)
	coord := r.as(t, demoLogins["coordinator"], demo.Password)

	// The administrator creates the deputy approver on the administration page.
	admin := signInAs(t, base, "admin")
	st, loc, body := postFull(t, admin, base+"/admin/utilisateurs", url.Values{"email": {"adjoint@cnltp.demo"}, "fullName": {"Adjoint au ministère"},
		"role": {"approver"}, "unitId": {""}, "language": {"fr"}, "password": {"mot-de-passe-solide"}})
	if st != http.StatusSeeOther || loc != "/admin" {
		t.Fatalf("create deputy = %d to %q\n%s", st, loc, execExcerpt(body))
	}
	deputyUser, _, _ := r.db.UserByEmail(context.Background(), "adjoint@cnltp.demo")

	// The coordinator brings the year to validation through the API.
	want(t, coord.do("POST", "/cycles", map[string]any{"year": year}), 201, "launch")
	want(t, coord.do("POST", cycle+"/bilan/close", nil), 200, "close bilan")
	want(t, coord.do("POST", cycle+"/recommendations/adopt", map[string]any{"recommendationIds": []int64{}}), 200, "adopt")
	var unitList []ptacycle.Unit
	want(t, coord.do("GET", "/units", nil), 200, "units").decode(t, &unitList)
	units := map[string]int64{}
	for _, u := range unitList {
		units[u.Name] = u.ID
	}
	var action ptacycle.Action
	want(t, coord.do("POST", cycle+"/plan/actions", map[string]any{"code": "1.1", "title": "Renforcer les capacités"}), 201, "action").decode(t, &action)
	var acts []ptacycle.Activity
	for i, unit := range []string{"CRLTP Tonkpi", "CRLTP Nawa"} {
		var a ptacycle.Activity
		want(t, coord.do("POST", cycle+"/plan/activities", map[string]any{"actionId": action.ID, "code": fmt.Sprintf("1.1.%d", i+1),
			"title": fmt.Sprintf("Former les acteurs (%s)", unit), "responsibleUnitId": units[unit],
			"startDate": fmt.Sprintf("%d-02-01", year), "dueDate": fmt.Sprintf("%d-12-30", year), "budgetXof": 1500000}), 201, "activity").decode(t, &a)
		acts = append(acts, a)
	}
	want(t, coord.do("POST", cycle+"/plan/submit", nil), 200, "submit v1")

	approver := signInAs(t, base, "approver")
	validation := base + cycle + "/validation"
	status, body := get(t, approver, validation)
	execExpect(t, "v1 under review", status, body, http.StatusOK,
		[]string{`data-testid="decision-form"`, `data-testid="diff-first"`, `data-testid="deciders"`, "Représentante du ministère", `aria-current="step"`},
		`data-testid="status-error"`)
	t.Run("ErrSendBackWithoutComment", func(t *testing.T) {
		status, body := post(t, approver, base+cycle+"/decision", url.Values{"level": {"1"}, "version": {"1"}, "outcome": {"sent_back"}})
		execExpect(t, "send-back without comment", status, body, http.StatusUnprocessableEntity, []string{`data-testid="error-comment"`, "motivé par un commentaire"})
	})
	st, loc, _ = postFull(t, approver, base+cycle+"/decision", url.Values{"level": {"1"}, "version": {"1"}, "outcome": {"sent_back"},
		"comment": {"Préciser la cible de l'activité 1.1.2"}})
	if st != http.StatusSeeOther || loc != cycle+"/validation" {
		t.Fatalf("send back = %d to %q", st, loc)
	}
	status, body = get(t, approver, validation)
	execExpect(t, "after the send-back", status, body, http.StatusOK,
		[]string{`data-testid="flash"`, "renvoyée pour correction", "Renvoyé pour correction", "Préciser la cible"}, `data-testid="decision-form"`)

	// The coordinator fixes the target and submits v2.
	edit := acts[1]
	edit.Target = "500 leaders communautaires"
	want(t, coord.do("PUT", fmt.Sprintf("/activities/%d", edit.ID), without(t, edit, activityServerFields...)), 200, "fix")
	want(t, coord.do("POST", cycle+"/plan/submit", nil), 200, "submit v2")
	status, body = get(t, approver, validation)
	execExpect(t, "v2 under review", status, body, http.StatusOK,
		[]string{"Version 2 du PTA", `data-testid="diff"`, `data-testid="diff-changed-1.1.2"`, `class="diff-changed"`, "Cible", "500 leaders communautaires", `name="version" value="2"`})

	// The ministry delegates its level to the deputy, who approves.
	st, loc, body = postFull(t, approver, base+cycle+"/delegation", url.Values{"level": {"1"}, "to": {fmt.Sprint(deputyUser.ID)}, "until": {fmt.Sprintf("%d-12-31", year)}})
	if st != http.StatusSeeOther {
		t.Fatalf("delegate = %d to %q\n%s", st, loc, execExcerpt(body))
	}
	deputy := signIn(t, base, "adjoint@cnltp.demo", "mot-de-passe-solide")
	status, body = get(t, deputy, validation)
	execExpect(t, "the deputy's turn", status, body, http.StatusOK,
		[]string{`data-testid="decision-form"`, `data-testid="chain-delegate-1"`, "Adjoint au ministère"}, `data-testid="delegate-form"`)
	st, loc, body = postFull(t, deputy, base+cycle+"/decision", url.Values{"level": {"1"}, "version": {"2"}, "outcome": {"approved"}, "comment": {"Par délégation"}})
	if st != http.StatusSeeOther {
		t.Fatalf("deputy approves = %d to %q\n%s", st, loc, execExcerpt(body))
	}
	status, body = get(t, coord.http, validation)
	execExpect(t, "approved", status, body, http.StatusOK,
		[]string{`data-testid="stage">Exécution`, "par délégation de Représentante du ministère", "Approuvé"}, `data-testid="decision-form"`)
	status, body = get(t, approver, validation)
	execExpect(t, "approved, as the ministry", status, body, http.StatusOK, []string{`class="done"`}, `data-testid="decision-form"`, `data-testid="delegate-form"`)

	// The Tonkpi owner reports "done" on their activity, and cannot on Nawa's.
	owner := signInAs(t, base, "owner")
	tonkpi, nawa := acts[0], acts[1]
	status, body = get(t, owner, base+"/mes-activites")
	execExpect(t, "owner's activities", status, body, http.StatusOK,
		[]string{fmt.Sprintf(`data-testid="progress-form-%d"`, tonkpi.ID)}, fmt.Sprintf(`data-testid="my-activity-%d"`, nawa.ID))
	status, _ = post(t, owner, fmt.Sprintf("%s/activites/%d/avancement", base, nawa.ID), url.Values{"version": {"2"}, "status": {"done"}})
	if status != http.StatusForbidden {
		t.Errorf("owner reporting on Nawa's activity: %d, want 403", status)
	}
	st, loc, _ = postFull(t, owner, fmt.Sprintf("%s/activites/%d/avancement", base, tonkpi.ID), url.Values{"version": {fmt.Sprint(tonkpi.Version)},
		"status": {"done"}, "progress": {"100"}, "comment": {"50 acteurs formés à Man"}, "next": {"/mes-activites"}})
	if st != http.StatusSeeOther || loc != "/mes-activites" {
		t.Fatalf("report = %d to %q", st, loc)
	}
	status, body = get(t, owner, base+"/mes-activites")
	execExpect(t, "after the report", status, body, http.StatusOK, []string{"Avancement enregistré"})

	status, body = get(t, coord.http, base+cycle+"/execution")
	execExpect(t, "execution table", status, body, http.StatusOK, []string{"2 activité(s) prévue(s), 1 réalisée(s)"})
	if row := validationRow(t, body, fmt.Sprintf("exec-row-%d", tonkpi.ID)); !strings.Contains(row, `class="badge done"`) || !strings.Contains(row, "100 %") {
		t.Errorf("the coordinator's row does not show the report: %s", row)
	}
	status, body = get(t, coord.http, fmt.Sprintf("%s/activites/%d", base, tonkpi.ID))
	execExpect(t, "activity history", status, body, http.StatusOK, []string{`data-testid="history"`, "Responsable CRLTP Tonkpi", "50 acteurs formés à Man"})
}

// TestSentBackSaysWhy (issue 14, point 2): after the approver sends v1 back,
// the PTA page and the dashboard's pending step say who sent it back, when
// and why, until the next submission (before: « Le PTA peut être soumis »
// and the comment only on the Validation page).
func TestSentBackSaysWhy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := mustAccessFixture(t)
	db, base := f.app.db, f.app.srv.URL
	v := validationSubmit(t, f)
	approver, _, err := db.UserByEmail(ctx, demoLogins["approver"])
	if err != nil {
		t.Fatal(err)
	}
	comment := "Budgétiser l'axe 3 & préciser les responsables des activités régionales"
	if _, err := db.RecordDecision(ctx, ptacycle.UserActor(approver), ptacycle.Decision{PlanVersionID: v.ID, Level: 1, ApproverID: approver.ID,
		Outcome: ptacycle.OutcomeSentBack, Comment: comment}, false); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, `UPDATE cycles SET stage = 'drafting' WHERE organisation_id = $1 AND year = $2`, f.demoOrg.ID, f.year); err != nil {
		t.Fatal(err)
	}
	coordinator := signInAs(t, base, "coordinator")
	escaped := "Budgétiser l&#39;axe 3 &amp; préciser les responsables des activités régionales"
	for _, page := range []string{fmt.Sprintf("%s/cycles/%d/pta", base, f.year), base + "/"} {
		status, body := get(t, coordinator, page)
		execExpect(t, "sent back: "+page, status, body, http.StatusOK,
			[]string{`data-testid="sent-back"`, "La version 1 du PTA a été renvoyée pour révision", "Par " + approver.FullName + ", le ", escaped,
				"jusqu&#39;à la prochaine soumission"})
	}
	_, body := get(t, coordinator, fmt.Sprintf("%s/cycles/%d/pta?lang=en", base, f.year))
	execExpect(t, "sent back in English", http.StatusOK, body, http.StatusOK, []string{"Version 1 of the plan was sent back for revision", "By " + approver.FullName})
	get(t, coordinator, base+"/?lang=fr")

	// Submitted again: the send-back is no longer why anything is done.
	validationSubmit(t, f)
	if _, err := db.Pool.Exec(ctx, `UPDATE cycles SET stage = 'drafting' WHERE organisation_id = $1 AND year = $2`, f.demoOrg.ID, f.year); err != nil {
		t.Fatal(err)
	}
	status, body := get(t, coordinator, fmt.Sprintf("%s/cycles/%d/pta", base, f.year))
	execExpect(t, "after the next submission", status, body, http.StatusOK, []string{`data-testid="plan"`}, `data-testid="sent-back"`)
}

// TestValidationSoleApproverExplained: while the organisation has one
// approver, the validation page says why delegation is not offered and how
// to make it possible; before, the section was simply absent.
func TestValidationSoleApproverExplained(t *testing.T) {
	t.Parallel()
	f := mustAccessFixture(t)
	base := f.app.srv.URL
	page := fmt.Sprintf("%s/cycles/%d/validation", base, f.year)
	approver := signInAs(t, base, "approver")
	status, body := get(t, approver, page)
	execExpect(t, "validation with one approver", status, body, http.StatusOK,
		[]string{`data-testid="delegate-none"`, "Déléguer mon niveau de validation", "seul valideur actif", "demandez à l&#39;administrateur"},
		`data-testid="delegate-form"`)

	hash, _ := ptacycle.HashPassword("mot-de-passe-solide")
	if _, err := f.app.db.CreateUser(context.Background(), ptacycle.SystemActor(f.demoOrg.ID),
		ptacycle.User{Email: "adjoint@cnltp.demo", FullName: "Adjoint au ministère", Role: ptacycle.RoleApprover}, hash); err != nil {
		t.Fatal(err)
	}
	status, body = get(t, approver, page)
	execExpect(t, "validation with two approvers", status, body, http.StatusOK, []string{`data-testid="delegate-form"`, "Adjoint au ministère"},
		`data-testid="delegate-none"`)
	// The coordinator holds no level: neither the form nor the explanation.
	status, body = get(t, signInAs(t, base, "coordinator"), page)
	execExpect(t, "validation as the coordinator", status, body, http.StatusOK, []string{`data-testid="chain"`}, `data-testid="delegate-none"`, `data-testid="delegate-form"`)
}
