package app_test

import (
	"context"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/app"
)

// The pages' reads: each checks its permission, and answers only the
// actor's organisation's data. Temporal is unreachable: the pages read
// PostgreSQL, and say that the workflow did not answer.

// mustReads is the fixture's layer over an unreachable Temporal, with memo (nil: none).
func mustReads(t *testing.T, f *fixture, memo app.Memo) *app.App {
	t.Helper()
	tc, err := client.NewLazyClient(client.Options{HostPort: "127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tc.Close)
	return app.New(app.Deps{DB: f.db, Temporal: tc, Memo: memo})
}

// afterDue is a day after both of the fixture's activities are due.
var afterDue = ptacycle.NewDate(2024, time.July, 1)

func actor(u ptacycle.User) app.Actor { return app.As(&u) }

// wantCode fails unless err has code.
func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if ptacycle.ErrorCode(err) != code {
		t.Errorf("%s: %v, want %s", what, err, code)
	}
}

// mustDisabled is a copy of u whose account is disabled.
func mustDisabled(u ptacycle.User) ptacycle.User {
	u.Active = false
	return u
}

func TestDashboardPage(t *testing.T) {
	f := mustFixture(t)
	a := mustReads(t, f, nil)
	ctx := context.Background()
	page := func(u ptacycle.User) app.DashboardData {
		t.Helper()
		d, err := a.Dashboard.Page(ctx, actor(u), afterDue)
		if err != nil {
			t.Fatalf("%s: %v", u.Role, err)
		}
		return d
	}

	t.Run("Coordinator", func(t *testing.T) {
		d := page(f.users[ptacycle.RoleCoordinator])
		if d.Org.ID != f.org.ID || d.View == nil || d.View.Cycle.Year != 2024 || d.View.Cycle.Stage != ptacycle.StageExecution {
			t.Fatalf("dashboard: %+v", d)
		}
		if d.View.Status != nil || d.View.StatusError == "" {
			t.Errorf("Temporal is unreachable, yet status %+v, error %q", d.View.Status, d.View.StatusError)
		}
		if d.Overdue == nil || d.Overdue.Count != 2 || len(d.Overdue.First) != 2 {
			t.Errorf("overdue: %+v, want both activities", d.Overdue)
		}
		if d.Rates == nil || d.Rates.Year != 2024 || d.Rates.FromBilan || d.Rates.Rates.Overall.Planned != 2 {
			t.Errorf("rates: %+v", d.Rates)
		}
	})
	t.Run("OwnerSeesTheirUnit", func(t *testing.T) {
		d := page(f.users[ptacycle.RoleOwner])
		if d.Overdue == nil || d.Overdue.Count != 1 || len(d.Overdue.First) != 1 || d.Overdue.First[0].ID != f.mine.ID {
			t.Errorf("overdue: %+v, want the owner's unit's activity alone", d.Overdue)
		}
		if d.Unfinished != 1 {
			t.Errorf("unfinished: %d, want 1", d.Unfinished)
		}
	})
	t.Run("PartnerSeesTheirContribution", func(t *testing.T) {
		partner := f.users[ptacycle.RolePartner]
		d := page(partner)
		if d.Contribution == nil || d.Contribution.Unit.ID != *partner.UnitID || d.Contribution.Activities != 0 {
			t.Errorf("contribution: %+v, want the partner's unit's, of no activity", d.Contribution)
		}
		if d.Decides || d.Unfinished != 0 {
			t.Errorf("a partner is asked to decide (%v) or has unfinished activities (%d)", d.Decides, d.Unfinished)
		}
	})
	t.Run("AnotherOrganisationGetsNothingOfThisOne", func(t *testing.T) {
		d := page(f.stranger)
		if d.Org.ID == f.org.ID || d.View != nil || d.Overdue != nil || d.Rates != nil {
			t.Errorf("another organisation's coordinator reads %+v", d)
		}
	})
	t.Run("ErrDisabled", func(t *testing.T) {
		_, err := a.Dashboard.Page(ctx, actor(mustDisabled(f.users[ptacycle.RoleCoordinator])), afterDue)
		wantCode(t, "a disabled account's dashboard", err, ptacycle.EFORBIDDEN)
	})
}

// cannedRates is a memo that has kept rates for every plan.
type cannedRates struct {
	rates app.Rates
	asked []int64 // plan ids
}

func (m *cannedRates) Rates(planID int64, _ ptacycle.Date, _ func() (app.Rates, error)) (app.Rates, error) {
	m.asked = append(m.asked, planID)
	return m.rates, nil
}

// TestYearDashboard: the API's dashboard of a year, its rates kept by the memo.
func TestYearDashboard(t *testing.T) {
	f := mustFixture(t)
	memo := &cannedRates{rates: app.Rates{Breakdown: ptacycle.RateBreakdown{Overall: ptacycle.Rate{Planned: 7, Done: 7}}, Overdue: 1}}
	a := mustReads(t, f, memo)
	ctx := context.Background()
	d, err := a.Dashboard.Year(ctx, actor(f.users[ptacycle.RolePartner]), 2024, afterDue)
	if err != nil {
		t.Fatal(err)
	}
	if d.Year != 2024 || d.Rates.Overall.Planned != 7 || d.Overdue.Count != 1 || len(d.Overdue.First) != 2 {
		t.Errorf("dashboard: %+v, want the memo's rates and the overdue activities", d)
	}
	if len(memo.asked) != 1 || memo.asked[0] != f.mine.PlanID {
		t.Errorf("the memo was asked for plans %v, want [%d]", memo.asked, f.mine.PlanID)
	}
	_, err = a.Dashboard.Year(ctx, actor(f.stranger), 2024, afterDue)
	wantCode(t, "another organisation's dashboard of 2024", err, ptacycle.ENOTFOUND)
	if len(memo.asked) != 1 {
		t.Errorf("a refused read asked the memo")
	}
}

func TestExecutionReads(t *testing.T) {
	f := mustFixture(t)
	a := mustReads(t, f, nil)
	ctx := context.Background()
	coordinator, owner, partner := f.users[ptacycle.RoleCoordinator], f.users[ptacycle.RoleOwner], f.users[ptacycle.RolePartner]

	t.Run("Page", func(t *testing.T) {
		d, err := a.Execution.Page(ctx, actor(partner), app.ActivityFilter{Year: 2024, Page: 9, PageSize: 50}, afterDue)
		if err != nil {
			t.Fatal(err)
		}
		l := d.Activities
		if l.Total != 2 || len(l.Items) != 2 || l.Page != 1 || d.Rates.Overall.Planned != 2 || len(d.Directory.Units) == 0 {
			t.Errorf("execution page 9 of 1: %+v, rates %+v", l, d.Rates)
		}
		d, err = a.Execution.Page(ctx, actor(coordinator), app.ActivityFilter{Year: 2024, UnitID: *owner.UnitID, OverdueAsOf: afterDue, PageSize: 50}, afterDue)
		if err != nil {
			t.Fatal(err)
		}
		if d.Activities.Total != 1 || d.Activities.Items[0].ID != f.mine.ID {
			t.Errorf("filtered by unit, overdue: %+v", d.Activities)
		}
		_, err = a.Execution.Page(ctx, actor(coordinator), app.ActivityFilter{Year: 2024, Status: "fini"}, afterDue)
		wantCode(t, "an unknown status", err, ptacycle.EINVALID)
	})
	t.Run("List", func(t *testing.T) {
		l, err := a.Execution.List(ctx, actor(owner), app.ActivityFilter{PageSize: 10_000})
		if err != nil {
			t.Fatal(err)
		}
		if l.Total != 2 || l.Page != 1 || l.PageSize != 500 {
			t.Errorf("every year's activities: %+v, want 2 on page 1 of 500", l)
		}
	})
	t.Run("Activity", func(t *testing.T) {
		for _, tt := range []struct {
			name      string
			who       ptacycle.User
			act       ptacycle.Activity
			canReport bool
		}{
			{"OwnerOfItsUnit", owner, f.mine, true},
			{"OwnerOfAnotherUnit", owner, f.another, false},
			{"Partner", partner, f.mine, false},
			{"Coordinator", coordinator, f.another, true},
		} {
			t.Run(tt.name, func(t *testing.T) {
				d, err := a.Execution.Activity(ctx, actor(tt.who), tt.act.ID)
				if err != nil {
					t.Fatal(err)
				}
				if d.Activity.ID != tt.act.ID || d.Year != 2024 || d.Action.Code != "1.1" || !d.Open || d.CanReport != tt.canReport {
					t.Errorf("activity page: year %d, action %q, open %v, can report %v (want %v)", d.Year, d.Action.Code, d.Open, d.CanReport, tt.canReport)
				}
			})
		}
	})
	t.Run("Mine", func(t *testing.T) {
		d, err := a.Execution.Mine(ctx, actor(owner))
		if err != nil {
			t.Fatal(err)
		}
		if d.Year != 2024 || !d.Open || len(d.Activities) != 1 || d.Activities[0].ID != f.mine.ID {
			t.Errorf("the owner's activities: year %d, open %v, %d activities", d.Year, d.Open, len(d.Activities))
		}
		for _, role := range []ptacycle.Role{ptacycle.RolePartner, ptacycle.RoleApprover} {
			_, err := a.Execution.Mine(ctx, actor(f.users[role]))
			wantCode(t, string(role)+"'s own activities", err, ptacycle.EFORBIDDEN)
		}
	})
	t.Run("AnotherOrganisationGetsNothingOfThisOne", func(t *testing.T) {
		stranger := actor(f.stranger)
		_, err := a.Execution.Page(ctx, stranger, app.ActivityFilter{Year: 2024}, afterDue)
		wantCode(t, "the execution page of 2024", err, ptacycle.ENOTFOUND)
		_, err = a.Execution.List(ctx, stranger, app.ActivityFilter{Year: 2024})
		wantCode(t, "the list of 2024", err, ptacycle.ENOTFOUND)
		l, err := a.Execution.List(ctx, stranger, app.ActivityFilter{})
		if err != nil || l.Total != 0 || len(l.Items) != 0 {
			t.Errorf("every year's activities: %+v, %v; want none", l, err)
		}
		_, err = a.Execution.Get(ctx, stranger, f.mine.ID)
		wantCode(t, "an activity", err, ptacycle.ENOTFOUND)
		_, err = a.Execution.History(ctx, stranger, f.mine.ID)
		wantCode(t, "an activity's history", err, ptacycle.ENOTFOUND)
		_, err = a.Execution.Activity(ctx, stranger, f.mine.ID)
		wantCode(t, "an activity's page", err, ptacycle.ENOTFOUND)
		_, err = a.Execution.Export(ctx, stranger, 2024)
		wantCode(t, "the execution workbook of 2024", err, ptacycle.ENOTFOUND)
	})
	t.Run("ErrDisabled", func(t *testing.T) {
		_, err := a.Execution.List(ctx, actor(mustDisabled(coordinator)), app.ActivityFilter{})
		wantCode(t, "a disabled account's list", err, ptacycle.EFORBIDDEN)
	})
}

func TestValidationPage(t *testing.T) {
	f := mustFixture(t)
	a := mustReads(t, f, nil)
	ctx := context.Background()
	approver, partner := f.users[ptacycle.RoleApprover], f.users[ptacycle.RolePartner]
	hash, _ := ptacycle.HashPassword("mot-de-passe-solide")
	second, err := f.db.CreateUser(ctx, ptacycle.SystemActor(f.org.ID), ptacycle.User{Email: "valideur2@cnltp.demo", FullName: "Second valideur",
		Role: ptacycle.RoleApprover}, hash)
	if err != nil {
		t.Fatal(err)
	}
	page := func(u ptacycle.User) app.ValidationData {
		t.Helper()
		d, err := a.Approvals.Page(ctx, actor(u), 2024)
		if err != nil {
			t.Fatalf("%s: %v", u.Role, err)
		}
		return d
	}

	t.Run("Approved", func(t *testing.T) {
		d := page(approver)
		if d.Latest == nil || d.Latest.Number != 1 || len(d.Versions) != 1 || len(d.Content.Actions) != 1 || len(d.Content.Actions[0].Activities) != 2 {
			t.Fatalf("the version under review: %+v, content %+v", d.Latest, d.Content)
		}
		if d.StatusError == "" || d.Level != 0 || d.CanDecide || d.MayDelegate || d.Delegates != nil {
			t.Errorf("an approved plan: level %d, can decide %v, may delegate %v (%d delegates)", d.Level, d.CanDecide, d.MayDelegate, len(d.Delegates))
		}
		if len(d.Chain) != 1 || d.People[d.Chain[0].ApproverID] != approver.FullName {
			t.Errorf("chain %+v, named %q", d.Chain, d.People[d.Chain[0].ApproverID])
		}
	})
	if _, err := f.db.Pool.Exec(ctx, `UPDATE cycles SET stage = 'validation' WHERE organisation_id = $1`, f.org.ID); err != nil {
		t.Fatal(err)
	}
	t.Run("UnderReviewWhileTemporalIsAway", func(t *testing.T) {
		d := page(approver)
		if d.Level != 1 || len(d.Deciders) != 1 || d.Deciders[0] != approver.ID || !d.CanDecide {
			t.Errorf("level %d deduced, deciders %v, can decide %v; want level 1 by the chain's approver", d.Level, d.Deciders, d.CanDecide)
		}
		if !d.MayDelegate || len(d.Delegates) != 1 || d.Delegates[0].ID != second.ID {
			t.Errorf("may delegate %v to %+v, want the other approver", d.MayDelegate, d.Delegates)
		}
		other := page(second)
		if other.CanDecide || !other.MayDelegate || len(other.Delegates) != 1 || other.Delegates[0].ID != approver.ID {
			t.Errorf("the approver off the chain: can decide %v, delegates %+v", other.CanDecide, other.Delegates)
		}
	})
	t.Run("PartnerIsNotOfferedWhatApproversDo", func(t *testing.T) {
		d := page(partner)
		if d.Level != 1 || d.CanDecide || d.MayDelegate || d.Delegates != nil {
			t.Errorf("a partner: level %d, can decide %v, may delegate %v, delegates %+v", d.Level, d.CanDecide, d.MayDelegate, d.Delegates)
		}
		_, err := a.Approvals.Approver(ctx, actor(partner), approver.ID)
		wantCode(t, "a partner reading an approver", err, ptacycle.EFORBIDDEN)
	})
	t.Run("AnotherOrganisationGetsNothingOfThisOne", func(t *testing.T) {
		_, err := a.Approvals.Page(ctx, actor(f.stranger), 2024)
		wantCode(t, "the approval page of 2024", err, ptacycle.ENOTFOUND)
		_, err = a.Plans.Versions(ctx, actor(f.stranger), 2024)
		wantCode(t, "the versions of 2024", err, ptacycle.ENOTFOUND)
	})
	t.Run("ErrDisabled", func(t *testing.T) {
		_, err := a.Approvals.Page(ctx, actor(mustDisabled(approver)), 2024)
		wantCode(t, "a disabled account's approval page", err, ptacycle.EFORBIDDEN)
	})
}
