package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/activities"
	"github.com/ptacycle/ptacycle/demo"
	"github.com/ptacycle/ptacycle/internal/stacktest"
	"github.com/ptacycle/ptacycle/workflows"
)

// launched starts year on r's organisation as coord and returns the cycle's path.
func launched(t *testing.T, coord *apiClient, year int) string {
	t.Helper()
	want(t, coord.do("POST", "/cycles", map[string]any{"year": year}), 201, fmt.Sprintf("launch %d", year))
	return fmt.Sprintf("/cycles/%d", year)
}

// stageOf reads the cycle's stage through the API.
func stageOf(t *testing.T, c *apiClient, cycle string) ptacycle.Stage {
	t.Helper()
	var v struct {
		Cycle ptacycle.Cycle `json:"cycle"`
	}
	want(t, c.do("GET", cycle, nil), 200, "cycle").decode(t, &v)
	return v.Cycle.Stage
}

// TestStepIDsAreEachPersons: two coordinators whose clients send the same
// X-Request-ID each take their own step. Failed before: the raw header was
// the update id, so the second step answered the first's result and did
// not happen (the cycle stayed at the recommendations).
func TestStepIDsAreEachPersons(t *testing.T) {
	t.Parallel()
	r := mustRealStack(t)
	admin := r.as(t, "admin@cnltp.demo", demo.Password)
	want(t, admin.do("POST", "/users", map[string]any{"email": "adjointe@cnltp.demo", "fullName": "Coordonnatrice adjointe",
		"role": "coordinator", "password": "mot-de-passe-solide"}), 201, "second coordinator")
	first := r.as(t, "coordonnateur@cnltp.demo", demo.Password).with("X-Request-ID", "etape-1")
	second := r.as(t, "adjointe@cnltp.demo", "mot-de-passe-solide").with("X-Request-ID", "etape-1")
	cycle := launched(t, first, time.Now().Year())

	want(t, first.do("POST", cycle+"/bilan/close", nil), 200, "first coordinator closes the bilan")
	var st workflows.CycleStatus
	want(t, second.do("POST", cycle+"/recommendations/adopt", map[string]any{"recommendationIds": []int64{}}), 200,
		"second coordinator adopts").decode(t, &st)
	if st.Stage != ptacycle.StageDrafting {
		t.Errorf("the adoption answered stage %s, want %s", st.Stage, ptacycle.StageDrafting)
	}
	if got := stageOf(t, first, cycle); got != ptacycle.StageDrafting {
		t.Errorf("after the second coordinator's adoption the cycle is at %s, want %s", got, ptacycle.StageDrafting)
	}
	// The same person sending the same request again takes the step once:
	// the answer is the step's, not a refusal for the stage it left.
	want(t, second.do("POST", cycle+"/recommendations/adopt", map[string]any{"recommendationIds": []int64{}}), 200,
		"the adoption sent again").decode(t, &st)
	if st.Stage != ptacycle.StageDrafting {
		t.Errorf("the adoption sent again answered stage %s", st.Stage)
	}
}

var stepInput = regexp.MustCompile(`<input type="hidden" name="step" value="([0-9a-f]{24})"`)

// TestStepFormSentTwiceIsOneStep: a page's step form carries its own id, so
// that sending it twice (a double click, a retry after a time-out) is one
// step, and a form rendered again is a new one.
func TestStepFormSentTwiceIsOneStep(t *testing.T) {
	t.Parallel()
	r := mustRealStack(t)
	coord := r.as(t, "coordonnateur@cnltp.demo", demo.Password)
	year := time.Now().Year()
	cycle := launched(t, coord, year)
	b := signInDemo(t, r.srv.URL, "coordonnateur@cnltp.demo")

	_, page := get(t, b, fmt.Sprintf("%s/cycles/%d/bilan", r.srv.URL, year))
	m := stepInput.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("the bilan page has no step id in its closing form:\n%s", page)
	}
	if _, again := get(t, b, fmt.Sprintf("%s/cycles/%d/bilan", r.srv.URL, year)); strings.Contains(again, m[1]) {
		t.Errorf("a page rendered again kept the step id %s", m[1])
	}
	closeURL := fmt.Sprintf("%s/cycles/%d/bilan/cloture", r.srv.URL, year)
	for i := range 2 {
		status, location, body := postFull(t, b, closeURL, url.Values{"step": {m[1]}})
		if status != http.StatusSeeOther || location != fmt.Sprintf("/cycles/%d/recommandations", year) {
			t.Fatalf("closing the bilan, sending %d: %d %q %s", i+1, status, location, body)
		}
	}
	if got := stageOf(t, coord, cycle); got != ptacycle.StageRecommendations {
		t.Errorf("after the form sent twice the cycle is at %s", got)
	}
	// Another form (another id) is another step: refused, the bilan is closed.
	status, _, body := postFull(t, b, closeURL, url.Values{"step": {"0123456789abcdef01234567"}})
	if status != http.StatusConflict || !strings.Contains(body, "bilan") {
		t.Errorf("a new closing of a closed bilan: %d %s", status, body)
	}
}

// TestStepRightAfterLaunch launches years and closes their bilan at once,
// through the API, many times: the launch answers once the cycle takes
// steps. Failed before under load, 1 run in 12: 409 « Le cycle est en
// cours d'ouverture ».
func TestStepRightAfterLaunchThroughTheAPI(t *testing.T) {
	t.Parallel()
	r := mustRealStack(t)
	coord := r.as(t, "coordonnateur@cnltp.demo", demo.Password)
	first := time.Now().Year() + 1
	for year := first; year < first+8; year++ {
		cycle := launched(t, coord, year)
		var st workflows.CycleStatus
		want(t, coord.do("POST", cycle+"/bilan/close", nil), 200, fmt.Sprintf("closing the %d bilan right after its launch", year)).decode(t, &st)
		if st.Stage != ptacycle.StageRecommendations {
			t.Errorf("%d: stage %s after closing its bilan", year, st.Stage)
		}
	}
}

// TestSlowStepAnswersUnderWay: a step the cycle accepted but has not
// finished answers 202 with where to ask, and the page says « en cours »,
// instead of EUNAVAILABLE « rien n'a été modifié » (what it answered
// before, after 30 s); asked again, the same step ends once.
func TestSlowStepAnswersUnderWay(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	var acts *activities.Activities
	var closings atomic.Int32
	slowClose := func(ctx context.Context, in activities.StepInput) error {
		select {
		case <-release:
		case <-ctx.Done():
			return ctx.Err()
		}
		closings.Add(1)
		return acts.CloseBilan(ctx, in)
	}
	r := mustRealStackWith(t, stackOptions{stepWait: 300 * time.Millisecond, activities: map[string]any{"CloseBilan": slowClose}})
	acts = &activities.Activities{DB: r.db, Temporal: r.tc, Clock: time.Now}
	coord := r.as(t, "coordonnateur@cnltp.demo", demo.Password)
	year := time.Now().Year()
	cycle := launched(t, coord, year)

	// The page's form: it says the step is under way, and goes back to the bilan.
	b := signInDemo(t, r.srv.URL, "coordonnateur@cnltp.demo")
	_, page := get(t, b, fmt.Sprintf("%s/cycles/%d/bilan", r.srv.URL, year))
	m := stepInput.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("the bilan page has no step id")
	}
	status, location, _ := postFull(t, b, fmt.Sprintf("%s/cycles/%d/bilan/cloture", r.srv.URL, year), url.Values{"step": {m[1]}})
	if status != http.StatusSeeOther || location != fmt.Sprintf("/cycles/%d/bilan", year) {
		t.Fatalf("the page's slow step: %d %q", status, location)
	}
	if _, page := get(t, b, r.srv.URL+location); !strings.Contains(page, "en cours") {
		t.Errorf("the bilan page after a slow step does not say it is under way")
	}

	// The API: the same person's same step (the form's id as X-Request-ID)
	// is the one under way: 202, with where to ask for its outcome.
	var under struct {
		Step, RequestID, StatusURL, Message string
	}
	again := coord.with("X-Request-ID", m[1])
	want(t, again.do("POST", cycle+"/bilan/close", nil), http.StatusAccepted, "the same step through the API").decode(t, &under)
	wantURL := fmt.Sprintf("/api/v1%s/steps/%s/%s", cycle, workflows.UpdateCloseBilan, m[1])
	if under.StatusURL != wantURL || !strings.Contains(under.Message, "en cours") {
		t.Errorf("202 body = %+v, want statusUrl %s and « en cours »", under, wantURL)
	}
	statusPath := strings.TrimPrefix(under.StatusURL, "/api/v1")
	want(t, coord.do("GET", statusPath, nil), http.StatusAccepted, "its outcome while it runs")
	// Another step meanwhile is refused: the cycle is busy.
	if res := coord.do("POST", cycle+"/bilan/close", nil); res.Status != http.StatusConflict {
		t.Errorf("another step while one runs: %d %s", res.Status, res.Body)
	}
	// Nobody else can ask for it: the id is the person's own.
	other := r.as(t, "admin@cnltp.demo", demo.Password)
	if res := other.do("GET", statusPath, nil); res.Status != http.StatusNotFound {
		t.Errorf("another person asking for the step: %d %s", res.Status, res.Body)
	}

	close(release)
	var st workflows.CycleStatus
	stacktest.EventuallySays(t, 30*time.Second, "the step's outcome", func() (bool, string) {
		res := coord.do("GET", statusPath, nil)
		if res.Status == http.StatusOK {
			res.decode(t, &st)
			return true, ""
		}
		if res.Status != http.StatusAccepted {
			t.Fatalf("the step's outcome: %d %s", res.Status, res.Body)
		}
		return false, fmt.Sprintf("%d %s", res.Status, res.Body)
	})
	if st.Stage != ptacycle.StageRecommendations {
		t.Errorf("the step's outcome: stage %s", st.Stage)
	}
	if n := closings.Load(); n != 1 {
		t.Errorf("the bilan was closed %d times", n)
	}
}

// TestStepOnEndedCycleSaysClosed: a step sent to a cycle whose workflow has
// ended answers 409 « Le cycle est clôturé ». Failed before: 404 « Aucun
// cycle n'est en cours » (Temporal says NotFound).
func TestStepOnEndedCycleSaysClosed(t *testing.T) {
	t.Parallel()
	r := mustRealStack(t)
	coord := r.as(t, "coordonnateur@cnltp.demo", demo.Password)
	year := time.Now().Year()
	cycle := launched(t, coord, year)
	if err := r.tc.TerminateWorkflow(context.Background(), ptacycle.CycleWorkflowID(r.org.Slug, year), "", "test"); err != nil {
		t.Fatal(err)
	}
	res := coord.do("POST", cycle+"/bilan/close", nil)
	if res.Status != http.StatusConflict || !strings.Contains(res.err(t).Message, "clôturé") {
		t.Errorf("a step on an ended cycle: %d %s", res.Status, res.Body)
	}
}

var versionInput = regexp.MustCompile(`<input type="hidden" name="version" value="(\d+)">`)

// TestClosingTheBilanKeepsWhatWasTyped: the close button sends the workshop
// form, and what it holds is saved before the bilan closes. Before, the
// close sent only its step id, and a challenge typed but not saved was lost
// with the bilan frozen (issue 14, point 3). A form refused or typed over
// an older version leaves the bilan open and unchanged.
func TestClosingTheBilanKeepsWhatWasTyped(t *testing.T) {
	t.Parallel()
	r := mustRealStack(t)
	coord := r.as(t, "coordonnateur@cnltp.demo", demo.Password)
	year := time.Now().Year()
	cycle := launched(t, coord, year)
	b := signInDemo(t, r.srv.URL, "coordonnateur@cnltp.demo")
	pageURL := fmt.Sprintf("%s/cycles/%d/bilan", r.srv.URL, year)
	closeURL := pageURL + "/cloture"
	form := func() url.Values {
		t.Helper()
		_, page := get(t, b, pageURL)
		step, version := stepInput.FindStringSubmatch(page), versionInput.FindStringSubmatch(page)
		if step == nil || version == nil || !strings.Contains(page, `form="bilan-form" formaction="/cycles/`) {
			t.Fatalf("the bilan page's close button does not send the workshop form:\n%s", page)
		}
		return url.Values{"step": {step[1]}, "version": {version[1]}, "workshopPlace": {"Grand-Bassam"}, "challenges": {"Mobiliser des financements"}}
	}
	stored := func() ptacycle.Bilan {
		t.Helper()
		var bl ptacycle.Bilan
		want(t, coord.do("GET", cycle+"/bilan", nil), 200, "the bilan").decode(t, &bl)
		return bl
	}

	refused := form()
	refused.Set("workshopStart", fmt.Sprintf("%d-02-07", year))
	refused.Set("workshopEnd", fmt.Sprintf("%d-02-06", year))
	status, _, body := postFull(t, b, closeURL, refused)
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "précède son début") || !strings.Contains(body, "Mobiliser des financements") {
		t.Errorf("closing with a workshop ending before it starts: %d, want 422 with the error and the typed text kept:\n%s", status, body)
	}
	if bl := stored(); bl.ClosedAt != nil || len(bl.Challenges) != 0 || stageOf(t, coord, cycle) != ptacycle.StageBilan {
		t.Fatalf("a refused close changed the bilan: %+v", bl)
	}

	stale := form()
	want(t, coord.do("PUT", cycle+"/bilan", map[string]any{"workshopPlace": "Yamoussoukro", "version": stored().Version}), 200, "someone else saving first")
	status, _, body = postFull(t, b, closeURL, stale)
	if status != http.StatusConflict || stageOf(t, coord, cycle) != ptacycle.StageBilan {
		t.Errorf("closing over a version saved meanwhile: %d, stage %s, want 409 and the bilan open:\n%s", status, stageOf(t, coord, cycle), body)
	}
	if bl := stored(); bl.WorkshopPlace != "Yamoussoukro" || len(bl.Challenges) != 0 {
		t.Errorf("a stale close overwrote the other save: %+v", bl)
	}

	status, location, body := postFull(t, b, closeURL, form())
	if status != http.StatusSeeOther || location != fmt.Sprintf("/cycles/%d/recommandations", year) {
		t.Fatalf("closing with a challenge typed and not saved: %d %q %s", status, location, body)
	}
	bl := stored()
	if bl.ClosedAt == nil || bl.WorkshopPlace != "Grand-Bassam" || !slices.Equal(bl.Challenges, []string{"Mobiliser des financements"}) {
		t.Errorf("after closing, the bilan is %+v: want it closed with what the form held", bl)
	}
}
