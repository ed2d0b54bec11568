package server_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/server"
)

// The pages and the API are two faces of the same operations (the command
// layer, app/): the same request through either must end the same way. Each
// case below runs once through a page's form and once through the API, each
// on a fresh fixture (the demo organisation, its 2024 cycle in drafting, one
// action, one activity, one recommendation; Temporal unreachable, so a step
// that reaches the cycle answers 503), and compares what the person is told
// (success, or the status of the refusal) and what the database holds after.

// faceCase is one operation seen through both faces.
type faceCase struct {
	name  string
	deps  func(*server.Deps)                   // changes to the server's dependencies (nil: none)
	who   string                               // the demo role acting
	setup func(t *testing.T, f *accessFixture) // the state before, beyond the fixture's
	page  func(t *testing.T, f *accessFixture, b *http.Client) int
	api   func(t *testing.T, f *accessFixture, c *apiClient) int
	// state is what the database holds after, as a comparable string.
	state func(t *testing.T, f *accessFixture) string
	// want is the outcome both faces must give: "ok", or a refusal's status.
	want string
}

// outcome is what a person is told, as a comparable word: a page's redirect
// and an API's 2xx are both "ok"; a refusal is its status.
func outcome(status int) string {
	if status < 300 || status == http.StatusSeeOther {
		return "ok"
	}
	return fmt.Sprint(status)
}

// setStage moves the fixture's cycle to stage.
func setStage(stage ptacycle.Stage) func(*testing.T, *accessFixture) {
	return func(t *testing.T, f *accessFixture) {
		t.Helper()
		if _, err := f.app.db.Pool.Exec(context.Background(), `UPDATE cycles SET stage = $1 WHERE organisation_id = $2 AND year = $3`,
			stage, f.demoOrg.ID, f.year); err != nil {
			t.Fatal(err)
		}
	}
}

// rowState is one row of query, printed, or "none".
func rowState(t *testing.T, f *accessFixture, query string, args ...any) string {
	t.Helper()
	rows, err := f.app.db.Pool.Query(context.Background(), query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := ""
	for rows.Next() {
		values, err := rows.Values()
		if err != nil {
			t.Fatal(err)
		}
		out += fmt.Sprint(values) + ";"
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if out == "" {
		return "none"
	}
	return out
}

func faceCases() []faceCase {
	activityState := func(t *testing.T, f *accessFixture) string {
		return rowState(t, f, `SELECT code, title, status, progress, comment FROM activities WHERE organisation_id = $1 ORDER BY code`, f.demoOrg.ID)
	}
	linksState := func(t *testing.T, f *accessFixture) string {
		return rowState(t, f, `SELECT action_id FROM recommendation_actions WHERE recommendation_id = $1`, f.rec.ID)
	}
	recsState := func(t *testing.T, f *accessFixture) string {
		return rowState(t, f, `SELECT text, unit_id FROM recommendations WHERE organisation_id = $1 ORDER BY position`, f.demoOrg.ID)
	}
	return []faceCase{
		{
			name: "link a recommendation to an action outside drafting", who: "coordinator", setup: setStage(ptacycle.StageValidation),
			page: func(t *testing.T, f *accessFixture, b *http.Client) int {
				status, _, _ := postFull(t, b, fmt.Sprintf("%s/recommandations/%d/actions", f.app.srv.URL, f.rec.ID),
					url.Values{"year": {fmt.Sprint(f.year)}, "actionIds": {fmt.Sprint(f.action.ID)}})
				return status
			},
			api: func(t *testing.T, f *accessFixture, c *apiClient) int {
				return c.do("PUT", fmt.Sprintf("/recommendations/%d/actions", f.rec.ID), map[string]any{"actionIds": []int64{f.action.ID}}).Status
			},
			state: linksState, want: "409",
		},
		{
			name: "link a recommendation to an action while drafting", who: "coordinator",
			page: func(t *testing.T, f *accessFixture, b *http.Client) int {
				status, _, _ := postFull(t, b, fmt.Sprintf("%s/recommandations/%d/actions", f.app.srv.URL, f.rec.ID),
					url.Values{"year": {fmt.Sprint(f.year)}, "actionIds": {fmt.Sprint(f.action.ID)}})
				return status
			},
			api: func(t *testing.T, f *accessFixture, c *apiClient) int {
				return c.do("PUT", fmt.Sprintf("/recommendations/%d/actions", f.rec.ID), map[string]any{"actionIds": []int64{f.action.ID}}).Status
			},
			state: linksState, want: "ok",
		},
		{
			name: "create an activity: it starts not started, whatever is sent", who: "coordinator",
			page: func(t *testing.T, f *accessFixture, b *http.Client) int {
				form := planValidForm(f)
				form.Set("status", "done")
				form.Set("progress", "100")
				status, _, _ := postFull(t, b, fmt.Sprintf("%s/cycles/%d/pta/activites", f.app.srv.URL, f.year), form)
				return status
			},
			api: func(t *testing.T, f *accessFixture, c *apiClient) int {
				body := map[string]any{
					"actionId": f.action.ID, "code": "1.1.2", "title": "Sensibiliser les transporteurs (illustratif)",
					"responsibleUnitId": *f.activity.ResponsibleUnitID, "startDate": "2024-03-01", "dueDate": "2024-06-30",
					"budgetXof": 2500000, "fundingSource": "État", "indicator": "Nombre de transporteurs sensibilisés", "target": "200",
					"status": "done", "progress": 100, "comment": "déjà fait"}
				path := fmt.Sprintf("/cycles/%d/plan/activities", f.year)
				refusesServerFields(t, c, "POST", path, body, "status", "progress", "comment")
				return c.do("POST", path, without(t, body, activityServerFields...)).Status
			},
			state: activityState, want: "ok",
		},
		{
			name: "edit an activity: its execution fields keep their stored values", who: "coordinator",
			page: func(t *testing.T, f *accessFixture, b *http.Client) int {
				form := planValidForm(f)
				form.Set("code", "1.1.1")
				form.Set("title", "Former 60 acteurs")
				form.Set("version", fmt.Sprint(f.activity.Version))
				form.Set("status", "done")
				status, _, _ := postFull(t, b, fmt.Sprintf("%s/activites/%d/modifier", f.app.srv.URL, f.activity.ID), form)
				return status
			},
			api: func(t *testing.T, f *accessFixture, c *apiClient) int {
				body := f.activity
				body.Title, body.Status, body.Progress, body.Comment = "Former 60 acteurs", ptacycle.StatusDone, 100, "déjà fait"
				path := fmt.Sprintf("/activities/%d", f.activity.ID)
				refusesServerFields(t, c, "PUT", path, without(t, body), "status", "progress", "comment", "id", "updatedAt")
				res := c.do("PUT", path, without(t, body, activityServerFields...))
				var answered ptacycle.Activity
				if res.Status == http.StatusOK {
					res.decode(t, &answered)
					if answered.Status != ptacycle.StatusNotStarted || answered.Progress != 0 {
						t.Errorf("the API answered status %s, progress %d: not what it stored", answered.Status, answered.Progress)
					}
				}
				return res.Status
			},
			state: func(t *testing.T, f *accessFixture) string {
				return rowState(t, f, `SELECT title, status, progress, comment FROM activities WHERE id = $1`, f.activity.ID)
			},
			want: "ok",
		},
		{
			name: "name an owner of another unit than the responsible one", who: "coordinator",
			page: func(t *testing.T, f *accessFixture, b *http.Client) int {
				return namedOwnerPage(t, f, b, f.owner(t, false))
			},
			api: func(t *testing.T, f *accessFixture, c *apiClient) int {
				return namedOwnerAPI(t, f, c, f.owner(t, false))
			},
			state: ownerState, want: "422",
		},
		{
			name: "name an owner of the responsible unit", who: "coordinator",
			page: func(t *testing.T, f *accessFixture, b *http.Client) int {
				return namedOwnerPage(t, f, b, f.owner(t, true))
			},
			api: func(t *testing.T, f *accessFixture, c *apiClient) int {
				return namedOwnerAPI(t, f, c, f.owner(t, true))
			},
			state: ownerState, want: "ok",
		},
		{
			name: "a region named as another once folded", who: "admin",
			page: func(t *testing.T, f *accessFixture, b *http.Client) int {
				status, _, body := postFull(t, b, f.app.srv.URL+"/admin/regions", url.Values{"name": {"san-pédro"}})
				if status == http.StatusUnprocessableEntity && !strings.Contains(html.UnescapeString(body), "Une région porte déjà ce nom : « San Pedro »") {
					t.Errorf("the refusal does not name the region:\n%s", body)
				}
				return status
			},
			api: func(t *testing.T, f *accessFixture, c *apiClient) int {
				return c.do("POST", "/regions", map[string]any{"name": "san-pédro"}).Status
			},
			state: func(t *testing.T, f *accessFixture) string {
				return rowState(t, f, `SELECT count(*) FROM regions WHERE organisation_id = $1`, f.demoOrg.ID)
			},
			want: "422",
		},
		{
			name: "a unit named as another once folded", who: "admin",
			page: func(t *testing.T, f *accessFixture, b *http.Client) int {
				status, _, _ := postFull(t, b, f.app.srv.URL+"/admin/structures", url.Values{"name": {"crltp  TONKPI"}, "kind": {"directorate"}})
				return status
			},
			api: func(t *testing.T, f *accessFixture, c *apiClient) int {
				return c.do("POST", "/units", map[string]any{"name": "crltp  TONKPI", "kind": "directorate"}).Status
			},
			state: func(t *testing.T, f *accessFixture) string {
				return rowState(t, f, `SELECT count(*) FROM units WHERE organisation_id = $1`, f.demoOrg.ID)
			},
			want: "422",
		},
		{
			name: "carry over nothing", who: "coordinator",
			page: func(t *testing.T, f *accessFixture, b *http.Client) int {
				status, _, _ := postFull(t, b, fmt.Sprintf("%s/cycles/%d/pta/reprise", f.app.srv.URL, f.year), url.Values{})
				return status
			},
			api: func(t *testing.T, f *accessFixture, c *apiClient) int {
				return c.do("POST", fmt.Sprintf("/cycles/%d/plan/carry-over", f.year), map[string]any{"activityIds": []int64{}}).Status
			},
			state: activityState, want: "422",
		},
		{
			name: "add an action once the plan is submitted", who: "coordinator", setup: setStage(ptacycle.StageValidation),
			page: func(t *testing.T, f *accessFixture, b *http.Client) int {
				status, _, _ := postFull(t, b, fmt.Sprintf("%s/cycles/%d/pta/actions", f.app.srv.URL, f.year), url.Values{"code": {"1.2"}, "title": {"Poursuivre"}})
				return status
			},
			api: func(t *testing.T, f *accessFixture, c *apiClient) int {
				return c.do("POST", fmt.Sprintf("/cycles/%d/plan/actions", f.year), map[string]any{"code": "1.2", "title": "Poursuivre"}).Status
			},
			state: func(t *testing.T, f *accessFixture) string {
				return rowState(t, f, `SELECT code FROM actions WHERE organisation_id = $1 ORDER BY code`, f.demoOrg.ID)
			},
			want: "409",
		},
		{
			name: "a recommendation under another organisation's unit", who: "coordinator", setup: setStage(ptacycle.StageRecommendations),
			page: func(t *testing.T, f *accessFixture, b *http.Client) int {
				status, _, _ := postFull(t, b, fmt.Sprintf("%s/cycles/%d/recommandations", f.app.srv.URL, f.year),
					url.Values{"text": {"Former les douaniers"}, "unitId": {fmt.Sprint(otherUnit(t, f))}})
				return status
			},
			api: func(t *testing.T, f *accessFixture, c *apiClient) int {
				return c.do("POST", fmt.Sprintf("/cycles/%d/recommendations", f.year), map[string]any{"text": "Former les douaniers", "unitId": otherUnit(t, f)}).Status
			},
			state: recsState, want: "422",
		},
		{
			name: "send the plan back without a comment", who: "approver", setup: setStage(ptacycle.StageValidation),
			page: func(t *testing.T, f *accessFixture, b *http.Client) int {
				status, _, _ := postFull(t, b, fmt.Sprintf("%s/cycles/%d/decision", f.app.srv.URL, f.year),
					url.Values{"level": {"1"}, "version": {"1"}, "outcome": {"sent_back"}})
				return status
			},
			api: func(t *testing.T, f *accessFixture, c *apiClient) int {
				return c.do("POST", fmt.Sprintf("/cycles/%d/decisions", f.year), map[string]any{"level": 1, "version": 1, "outcome": "sent_back"}).Status
			},
			state: func(t *testing.T, f *accessFixture) string {
				return rowState(t, f, `SELECT count(*) FROM decisions d JOIN plan_versions v ON v.id = d.plan_version_id JOIN plans p ON p.id = v.plan_id WHERE p.organisation_id = $1`, f.demoOrg.ID)
			},
			want: "422",
		},
		{
			name: "delegate without saying until when", who: "approver", setup: setStage(ptacycle.StageValidation),
			page: func(t *testing.T, f *accessFixture, b *http.Client) int {
				status, _, _ := postFull(t, b, fmt.Sprintf("%s/cycles/%d/delegation", f.app.srv.URL, f.year),
					url.Values{"level": {"1"}, "to": {fmt.Sprint(f.approverID(t))}})
				return status
			},
			api: func(t *testing.T, f *accessFixture, c *apiClient) int {
				return c.do("POST", fmt.Sprintf("/cycles/%d/delegations", f.year), map[string]any{"level": 1, "to": f.approverID(t)}).Status
			},
			state: func(t *testing.T, f *accessFixture) string { return "" }, want: "422",
		},
		{
			name: "save the bilan after its stage", who: "coordinator",
			page: func(t *testing.T, f *accessFixture, b *http.Client) int {
				status, _, _ := postFull(t, b, fmt.Sprintf("%s/cycles/%d/bilan", f.app.srv.URL, f.year), url.Values{"version": {"1"}, "lessons": {"Une leçon"}})
				return status
			},
			api: func(t *testing.T, f *accessFixture, c *apiClient) int {
				return c.do("PUT", fmt.Sprintf("/cycles/%d/bilan", f.year), map[string]any{"version": 1, "lessons": []string{"Une leçon"}}).Status
			},
			state: func(t *testing.T, f *accessFixture) string {
				return rowState(t, f, `SELECT b.lessons FROM bilans b JOIN cycles c ON c.id = b.cycle_id WHERE c.organisation_id = $1`, f.demoOrg.ID)
			},
			want: "409",
		},
		{
			name: "close the bilan: the step reaches the cycle (Temporal down here)", who: "coordinator", setup: setStage(ptacycle.StageBilan),
			page: func(t *testing.T, f *accessFixture, b *http.Client) int {
				status, _, _ := postFull(t, b, fmt.Sprintf("%s/cycles/%d/bilan/cloture", f.app.srv.URL, f.year), url.Values{})
				return status
			},
			api: func(t *testing.T, f *accessFixture, c *apiClient) int {
				return c.do("POST", fmt.Sprintf("/cycles/%d/bilan/close", f.year), nil).Status
			},
			state: func(t *testing.T, f *accessFixture) string {
				return rowState(t, f, `SELECT stage FROM cycles WHERE organisation_id = $1`, f.demoOrg.ID)
			},
			want: "503",
		},
		{
			name: "invite a person again", who: "admin", deps: func(d *server.Deps) { d.PublicURL = "https://ptacycle.example" },
			page: func(t *testing.T, f *accessFixture, b *http.Client) int {
				status, _, _ := postFull(t, b, fmt.Sprintf("%s/admin/utilisateurs/%d/invitation", f.app.srv.URL, f.approverID(t)), url.Values{})
				return status
			},
			api: func(t *testing.T, f *accessFixture, c *apiClient) int {
				return c.do("POST", fmt.Sprintf("/users/%d/invitation", f.approverID(t)), nil).Status
			},
			state: func(t *testing.T, f *accessFixture) string {
				return rowState(t, f, `SELECT kind, address FROM reminders WHERE organisation_id = $1 AND kind = 'account_invite'`, f.demoOrg.ID)
			},
			want: "ok",
		},
		{
			name: "invite where links cannot be sent", who: "admin",
			page: func(t *testing.T, f *accessFixture, b *http.Client) int {
				status, _, _ := postFull(t, b, fmt.Sprintf("%s/admin/utilisateurs/%d/invitation", f.app.srv.URL, f.approverID(t)), url.Values{})
				return status
			},
			api: func(t *testing.T, f *accessFixture, c *apiClient) int {
				return c.do("POST", fmt.Sprintf("/users/%d/invitation", f.approverID(t)), nil).Status
			},
			state: func(t *testing.T, f *accessFixture) string {
				return rowState(t, f, `SELECT kind FROM reminders WHERE organisation_id = $1 AND kind = 'account_invite'`, f.demoOrg.ID)
			},
			want: "503",
		},
		{
			name: "create a person with a short password and no name", who: "admin",
			page: func(t *testing.T, f *accessFixture, b *http.Client) int {
				status, _, _ := postFull(t, b, f.app.srv.URL+"/admin/utilisateurs", url.Values{"email": {"nouveau@cnltp.demo"}, "role": {"owner"}, "password": {"court"}})
				return status
			},
			api: func(t *testing.T, f *accessFixture, c *apiClient) int {
				return c.do("POST", "/users", map[string]any{"email": "nouveau@cnltp.demo", "fullName": "", "role": "owner", "password": "court"}).Status
			},
			state: func(t *testing.T, f *accessFixture) string {
				return rowState(t, f, `SELECT count(*) FROM users WHERE organisation_id = $1`, f.demoOrg.ID)
			},
			want: "422",
		},
		{
			name: "an administrator takes away their own rights", who: "admin",
			page: func(t *testing.T, f *accessFixture, b *http.Client) int {
				status, _, _ := postFull(t, b, fmt.Sprintf("%s/admin/utilisateurs/%d", f.app.srv.URL, f.adminID(t)), url.Values{"role": {"coordinator"}, "active": {"on"}})
				return status
			},
			api: func(t *testing.T, f *accessFixture, c *apiClient) int {
				return c.do("PUT", fmt.Sprintf("/users/%d", f.adminID(t)), map[string]any{"fullName": "Administrateur", "role": "coordinator", "language": "fr", "active": true}).Status
			},
			state: func(t *testing.T, f *accessFixture) string {
				return rowState(t, f, `SELECT role, active FROM users WHERE id = $1`, f.adminID(t))
			},
			want: "409",
		},
		{
			name: "a strategy without axes", who: "coordinator",
			page: func(t *testing.T, f *accessFixture, b *http.Client) int {
				status, _, _ := postFull(t, b, f.app.srv.URL+"/strategie", url.Values{"title": {"Stratégie 2030"}, "startYear": {"2026"}, "endYear": {"2030"}})
				return status
			},
			api: func(t *testing.T, f *accessFixture, c *apiClient) int {
				return c.do("POST", "/strategies", map[string]any{"title": "Stratégie 2030", "startYear": 2026, "endYear": 2030, "axes": []any{}}).Status
			},
			state: func(t *testing.T, f *accessFixture) string {
				return rowState(t, f, `SELECT title FROM strategies WHERE organisation_id = $1 ORDER BY id`, f.demoOrg.ID)
			},
			want: "422",
		},
		{
			name: "one approver on two levels of the chain", who: "admin",
			page: func(t *testing.T, f *accessFixture, b *http.Client) int {
				id := fmt.Sprint(f.approverID(t))
				status, _, _ := postFull(t, b, f.app.srv.URL+"/admin/chaine", url.Values{
					"levels.1.name": {"Plénière"}, "levels.1.approverId": {id}, "levels.1.deadlineDays": {"10"},
					"levels.2.name": {"Ministère"}, "levels.2.approverId": {id}, "levels.2.deadlineDays": {"10"}})
				return status
			},
			api: func(t *testing.T, f *accessFixture, c *apiClient) int {
				id := f.approverID(t)
				return c.do("PUT", "/approval-chain", []map[string]any{{"level": 1, "name": "Plénière", "approverId": id, "deadlineDays": 10},
					{"level": 2, "name": "Ministère", "approverId": id, "deadlineDays": 10}}).Status
			},
			state: func(t *testing.T, f *accessFixture) string {
				return rowState(t, f, `SELECT level, name FROM approval_levels WHERE organisation_id = $1 ORDER BY level`, f.demoOrg.ID)
			},
			want: "422",
		},
	}
}

// owner is an active owner of the fixture activity's responsible unit
// (sameUnit), or of another unit.
func (f *accessFixture) owner(t *testing.T, sameUnit bool) ptacycle.User {
	t.Helper()
	owners, err := f.app.db.Users(context.Background(), f.demoOrg.ID, ptacycle.RoleOwner)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range owners {
		if u.Active && u.UnitID != nil && (*u.UnitID == *f.activity.ResponsibleUnitID) == sameUnit {
			return u
		}
	}
	// The demo has one owner: the other unit's is made here.
	units, err := f.app.db.Units(context.Background(), f.demoOrg.ID)
	if err != nil {
		t.Fatal(err)
	}
	hash, _ := ptacycle.HashPassword("mot-de-passe-solide")
	for _, unit := range units {
		if (unit.ID == *f.activity.ResponsibleUnitID) == sameUnit {
			u, err := f.app.db.CreateUser(context.Background(), ptacycle.SystemActor(f.demoOrg.ID),
				ptacycle.User{Email: fmt.Sprintf("owner%d@cnltp.demo", unit.ID), FullName: "Responsable " + unit.Name, Role: ptacycle.RoleOwner, UnitID: &unit.ID, Active: true}, hash)
			if err != nil {
				t.Fatal(err)
			}
			return u
		}
	}
	t.Fatalf("no unit with sameUnit=%v", sameUnit)
	return ptacycle.User{}
}

// namedOwnerPage names owner on the fixture activity through its edit form,
// and checks that a refusal says why on the field.
func namedOwnerPage(t *testing.T, f *accessFixture, b *http.Client, owner ptacycle.User) int {
	form := planValidForm(f)
	form.Set("code", f.activity.Code)
	form.Set("version", fmt.Sprint(f.activity.Version))
	form.Set("ownerId", fmt.Sprint(owner.ID))
	status, _, body := postFull(t, b, fmt.Sprintf("%s/activites/%d/modifier", f.app.srv.URL, f.activity.ID), form)
	if status == http.StatusUnprocessableEntity && !strings.Contains(html.UnescapeString(body), owner.FullName+" relève de") {
		t.Errorf("the refusal does not say which unit %s belongs to:\n%s", owner.FullName, body)
	}
	return status
}

// namedOwnerAPI names owner on the fixture activity through the API, and
// checks that a refusal names the field.
func namedOwnerAPI(t *testing.T, f *accessFixture, c *apiClient, owner ptacycle.User) int {
	body := f.activity
	body.OwnerID = &owner.ID
	res := c.do("PUT", fmt.Sprintf("/activities/%d", f.activity.ID), without(t, body, activityServerFields...))
	if res.Status == http.StatusUnprocessableEntity && !strings.Contains(string(res.Body), `"ownerId"`) {
		t.Errorf("the refusal does not name the field ownerId: %s", res.Body)
	}
	return res.Status
}

func ownerState(t *testing.T, f *accessFixture) string {
	return rowState(t, f, `SELECT coalesce(owner_id, 0) FROM activities WHERE id = $1`, f.activity.ID)
}

// adminID is the demo organisation's administrator's id.
func (f *accessFixture) adminID(t *testing.T) int64 {
	t.Helper()
	users, err := f.app.db.Users(context.Background(), f.demoOrg.ID, ptacycle.RoleAdmin)
	if err != nil || len(users) == 0 {
		t.Fatalf("no administrator: %v", err)
	}
	return users[0].ID
}

// otherUnit is a unit of the fixture's other organisation.
func otherUnit(t *testing.T, f *accessFixture) int64 {
	t.Helper()
	u, err := f.app.db.CreateUnit(context.Background(), ptacycle.SystemActor(f.other.ID), ptacycle.Unit{Name: "Direction d'ailleurs", Kind: ptacycle.UnitDirectorate})
	if err != nil {
		units, uerr := f.app.db.Units(context.Background(), f.other.ID)
		if uerr != nil || len(units) == 0 {
			t.Fatal(err)
		}
		return units[0].ID
	}
	return u.ID
}

// approverID is the demo organisation's approver's id.
func (f *accessFixture) approverID(t *testing.T) int64 {
	t.Helper()
	users, err := f.app.db.Users(context.Background(), f.demoOrg.ID, ptacycle.RoleApprover)
	if err != nil || len(users) == 0 {
		t.Fatalf("no approver: %v", err)
	}
	return users[0].ID
}

// TestBothFaces runs every case through the page and through the API and
// compares what the person is told and what the database holds after.
func TestBothFaces(t *testing.T) {
	t.Parallel()
	for _, fc := range faceCases() {
		t.Run(fc.name, func(t *testing.T) {
			t.Parallel()
			type result struct{ outcome, state string }
			run := func(face string) result {
				f := mustAccessFixtureWith(t, fc.deps)
				if fc.setup != nil {
					fc.setup(t, f)
				}
				var status int
				if face == "page" {
					status = fc.page(t, f, signInAs(t, f.app.srv.URL, fc.who))
				} else {
					status = fc.api(t, f, f.signIn(t, fc.who))
				}
				return result{outcome(status), fc.state(t, f)}
			}
			page, api := run("page"), run("api")
			if page.outcome != fc.want || api.outcome != fc.want {
				t.Errorf("told %q through the page and %q through the API, want %q for both", page.outcome, api.outcome, fc.want)
			}
			if page.state != api.state {
				t.Errorf("the database differs after the page and after the API:\npage: %s\napi:  %s", page.state, api.state)
			}
		})
	}
}
