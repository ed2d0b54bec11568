package demo

import (
	"bytes"
	"cmp"
	"context"
	_ "embed"
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/postgres"
	"github.com/ptacycle/ptacycle/workflows"
	"github.com/ptacycle/ptacycle/xlsx"
)

//go:generate go run ./gen

// The plans as the coordinators filled them in Excel; the demo imports them as a coordinator would.
var (
	//go:embed pta-2023.xlsx
	plan2023File []byte
	//go:embed pta-2024.xlsx
	plan2024File []byte
	// The evidence the 2024 owners attach to what they report done: a one-page PDF that says it is illustrative.
	//go:embed liste-de-presence-illustrative.pdf
	attendanceSheet []byte
)

// The 2023 activities left unfinished, with their progress: the other 20 of
// the 30 were done, hence the article's 67 %.
var unfinished2023 = map[string]int{
	"1.1.6": 70, "1.2.2": 0, "2.1.2": 0, "2.2.2": 40, "3.1.3": 60,
	"3.2.1": 50, "4.1.2": 30, "4.2.1": 0, "5.2.3": 50, "5.2.4": 0,
}

// The three recommendations of the February 2024 workshop, each with the
// code of the 2024 action that answers it.
var recommendations = []struct{ text, actionCode string }{
	{"Assurer une bonne répartition des ressources humaines du CNLTP par rapport au volume des activités", "5.1"},
	{"Impliquer la société civile pour renforcer le signalement des cas de traite", "1.1"},
	{"Doter le CNLTP d'un budget de fonctionnement pour financer toutes les activités de lutte contre toutes les formes de traite", "5.2"},
}

// workshop2024 is the bilan of 2023 as the 6–7 February 2024 workshop made
// it; the article names its place, dates and participants, not the wording
// of its lessons, difficulties and challenges, which are illustrative.
var workshop2024 = ptacycle.Bilan{
	WorkshopStart: ptacycle.NewDate(2024, time.February, 6),
	WorkshopEnd:   ptacycle.NewDate(2024, time.February, 7),
	WorkshopPlace: "Grand-Bassam",
	Participants: []string{"Acteurs du CNLTP", "Représentante de la Ministre de la Cohésion Nationale, de la Solidarité et de la Lutte contre la Pauvreté",
		"Expertise France (projet ALTP)", "Cellules régionales (CRLTP)", "ONG et société civile"},
	Lessons: []string{
		"L'installation de cinq CRLTP rapproche la lutte des populations (illustratif)",
		"Les sessions de renforcement de capacités ont touché toute la chaîne pénale, les travailleurs sociaux, les ONG et la société civile (illustratif)",
	},
	Difficulties: []string{
		"Effectifs du CNLTP insuffisants au regard du volume des activités (illustratif)",
		"Absence de budget de fonctionnement propre au CNLTP (illustratif)",
	},
	Challenges: []string{
		"Renforcer le signalement des cas de traite (illustratif)",
		"Mettre en œuvre la deuxième phase du projet ALTP (illustratif)",
	},
}

// scenario drives the demo organisation through the seed scenario with the
// product's workflows: each step is taken only if the cycle has not taken it,
// so that loading twice, or after an interruption, changes nothing more.
type scenario struct {
	db       *postgres.DB
	tc       client.Client
	org      ptacycle.Organisation
	coord    ptacycle.User
	approver ptacycle.User
}

func (s *scenario) play(ctx context.Context) error {
	if err := s.start2023(ctx); err != nil {
		return err
	}
	if err := s.year(ctx, 2023, plan2023File, s.prepare2023, s.execute2023); err != nil {
		return fmt.Errorf("cycle 2023 : %w", err)
	}
	// Closing 2023 started 2024's cycle, whose bilan is 2023's 67 %.
	if err := s.year(ctx, 2024, plan2024File, s.prepare2024, s.execute2024); err != nil {
		return fmt.Errorf("cycle 2024 : %w", err)
	}
	return nil
}

// start2023 launches the 2023 cycle unless it was launched (and maybe closed) before.
func (s *scenario) start2023(ctx context.Context) error {
	if _, err := s.db.Cycle(ctx, s.org.ID, 2023); err == nil || ptacycle.ErrorCode(err) != ptacycle.ENOTFOUND {
		return err
	}
	coord := s.coord.ID
	_, err := s.tc.ExecuteWorkflow(ctx, workflows.CycleStartOptions(s.org.Slug, 2023), ptacycle.CycleWorkflowName,
		workflows.CycleInput{OrganisationID: s.org.ID, OrganisationSlug: s.org.Slug, Year: 2023, LaunchedBy: &coord})
	if temporal.IsWorkflowExecutionAlreadyStartedError(err) {
		return nil
	}
	return err
}

// year takes one cycle from wherever it stands to where the story leaves it:
// 2023 closed, 2024 in execution.
func (s *scenario) year(ctx context.Context, year int, planFile []byte,
	prepare func(context.Context, ptacycle.Cycle) error, execute func(context.Context, ptacycle.Cycle, workflows.CycleStatus) (bool, error)) error {
	for {
		cy, status, err := s.opened(ctx, year)
		if err != nil {
			return err
		}
		step := func(name string, arg any) error {
			_, err := workflows.UpdateCycle(ctx, s.tc, s.org.Slug, year, fmt.Sprintf("demo/%d/%s/v%d", year, name, status.Version), name, arg)
			return err
		}
		switch status.Stage {
		case ptacycle.StageBilan:
			if err := prepare(ctx, cy); err != nil {
				return err
			}
			err = step(workflows.UpdateCloseBilan, workflows.CloseBilanRequest{UserID: s.coord.ID})
		case ptacycle.StageRecommendations:
			var ids []int64
			if ids, err = s.recommendationIDs(ctx, cy); err == nil {
				err = step(workflows.UpdateAdoptRecommendations, workflows.AdoptRecommendationsRequest{UserID: s.coord.ID, RecommendationIDs: ids})
			}
		case ptacycle.StageDrafting:
			var req workflows.SubmitPlanRequest
			if req, err = s.draft(ctx, cy, status.PlanID, planFile); err == nil {
				err = step(workflows.UpdateSubmitPlan, req)
			}
		case ptacycle.StageValidation:
			err = step(workflows.UpdateDecide, workflows.DecideRequest{UserID: s.approver.ID, Level: status.Level, Version: status.Version,
				Outcome: ptacycle.OutcomeApproved, Comment: "PTA conforme à la stratégie nationale 2022–2025"})
		case ptacycle.StageExecution:
			var over bool
			if over, err = execute(ctx, cy, status); err == nil && !over {
				return nil
			}
			if err == nil {
				var n int
				if n, err = s.db.UnfinishedActivities(ctx, s.org.ID, status.PlanID); err == nil {
					err = step(workflows.UpdateCloseCycle, workflows.CloseCycleRequest{UserID: s.coord.ID, Unfinished: n})
				}
			}
		case ptacycle.StageClosed:
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// opened waits for year's cycle to have its rows and returns them with the workflow's status.
func (s *scenario) opened(ctx context.Context, year int) (ptacycle.Cycle, workflows.CycleStatus, error) {
	deadline := time.Now().Add(time.Minute)
	for {
		cy, err := s.db.Cycle(ctx, s.org.ID, year)
		if err == nil && cy.Stage == ptacycle.StageClosed {
			return cy, workflows.CycleStatus{Stage: ptacycle.StageClosed}, nil
		}
		var status workflows.CycleStatus
		if err == nil {
			status, err = workflows.QueryCycle(ctx, s.tc, s.org.Slug, year)
		}
		if err == nil && status.Opened {
			return cy, status, nil
		}
		if time.Now().After(deadline) {
			return cy, status, fmt.Errorf("le cycle %d ne s'ouvre pas : un worker tourne-t-il ? / the %d cycle does not open: is a worker running? (%v)", year, year, err)
		}
		select {
		case <-ctx.Done():
			return cy, status, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (s *scenario) actor() ptacycle.Actor { return ptacycle.UserActor(s.coord) }

func (s *scenario) prepare2023(context.Context, ptacycle.Cycle) error { return nil }

// prepare2024 records the workshop and its three recommendations.
func (s *scenario) prepare2024(ctx context.Context, cy ptacycle.Cycle) error {
	b, err := s.db.Bilan(ctx, s.org.ID, cy.ID)
	if err != nil {
		return err
	}
	if b.WorkshopPlace == "" {
		w := workshop2024
		w.CycleID, w.ReviewedYear, w.Version = cy.ID, b.ReviewedYear, b.Version
		if _, err := s.db.UpdateBilan(ctx, s.actor(), w); err != nil {
			return err
		}
	}
	existing, err := s.db.Recommendations(ctx, s.org.ID, cy.ID)
	if err != nil || len(existing) > 0 {
		return err
	}
	units, err := s.db.Units(ctx, s.org.ID)
	if err != nil {
		return err
	}
	committee := unitID(units, committeeName)
	for i, r := range recommendations {
		if _, err := s.db.CreateRecommendation(ctx, s.actor(), ptacycle.Recommendation{CycleID: cy.ID, Position: i + 1, Text: r.text,
			UnitID: &committee, Priority: ptacycle.PriorityHigh}); err != nil {
			return err
		}
	}
	return nil
}

func (s *scenario) recommendationIDs(ctx context.Context, cy ptacycle.Cycle) ([]int64, error) {
	recs, err := s.db.Recommendations(ctx, s.org.ID, cy.ID)
	ids := make([]int64, len(recs))
	for i, r := range recs {
		ids[i] = r.ID
	}
	return ids, err
}

// draft imports the year's workbook into the empty draft plan, links the
// adopted recommendations to the actions answering them, and returns the submission.
func (s *scenario) draft(ctx context.Context, cy ptacycle.Cycle, planID int64, file []byte) (workflows.SubmitPlanRequest, error) {
	n, err := s.db.CountActivities(ctx, s.org.ID, postgres.ActivityFilter{PlanID: planID})
	if err != nil {
		return workflows.SubmitPlanRequest{}, err
	}
	if n == 0 {
		ref, err := s.db.PlanReference(ctx, s.org.ID, planID)
		if err != nil {
			return workflows.SubmitPlanRequest{}, err
		}
		in, err := xlsx.Parse(bytes.NewReader(file), ref)
		if err != nil {
			return workflows.SubmitPlanRequest{}, err
		}
		if _, _, err := s.db.ImportPlan(ctx, s.actor(), planID, in); err != nil {
			return workflows.SubmitPlanRequest{}, err
		}
	}
	if err := s.answerRecommendations(ctx, cy, planID); err != nil {
		return workflows.SubmitPlanRequest{}, err
	}
	content, err := s.db.PlanContent(ctx, s.org.ID, planID)
	return workflows.SubmitPlanRequest{UserID: s.coord.ID, Problems: ptacycle.CheckPlan(content)}, err
}

func (s *scenario) answerRecommendations(ctx context.Context, cy ptacycle.Cycle, planID int64) error {
	recs, err := s.db.Recommendations(ctx, s.org.ID, cy.ID)
	if err != nil {
		return err
	}
	actions, err := s.db.Actions(ctx, s.org.ID, planID)
	if err != nil {
		return err
	}
	for _, r := range recs {
		i := slices.IndexFunc(recommendations, func(d struct{ text, actionCode string }) bool { return d.text == r.Text })
		if i < 0 || !r.Adopted || len(r.ActionIDs) > 0 {
			continue
		}
		j := slices.IndexFunc(actions, func(a ptacycle.Action) bool { return a.Code == recommendations[i].actionCode })
		if j < 0 {
			return fmt.Errorf("pas d'action %s pour la recommandation %d", recommendations[i].actionCode, r.Position)
		}
		if err := s.db.LinkRecommendation(ctx, s.actor(), r.ID, []int64{actions[j].ID}); err != nil {
			return err
		}
	}
	return nil
}

// execute2023 records the year as it was executed, then lets the cycle close.
func (s *scenario) execute2023(ctx context.Context, cy ptacycle.Cycle, status workflows.CycleStatus) (bool, error) {
	content, err := s.db.PlanContent(ctx, s.org.ID, status.PlanID)
	if err != nil {
		return false, err
	}
	for code := range unfinished2023 { // the file and this list must agree, or the rate is not the article's
		if !slices.ContainsFunc(content.Activities, func(a ptacycle.Activity) bool { return a.Code == code }) {
			return false, fmt.Errorf("pas d'activité %s dans demo/pta-2023.xlsx", code)
		}
	}
	return true, s.report(ctx, status.PlanID, false, func(i int, a ptacycle.Activity) (ptacycle.ActivityStatus, int) {
		progress, open := unfinished2023[a.Code]
		switch {
		case !open:
			return ptacycle.StatusDone, 100
		case progress > 0:
			return ptacycle.StatusInProgress, progress
		}
		return ptacycle.StatusNotStarted, 0
	})
}

// execute2024 shows a year under way: one activity in five done, one in five progressing.
func (s *scenario) execute2024(ctx context.Context, cy ptacycle.Cycle, status workflows.CycleStatus) (bool, error) {
	return false, s.report(ctx, status.PlanID, true, func(i int, a ptacycle.Activity) (ptacycle.ActivityStatus, int) {
		switch i % 5 {
		case 0:
			return ptacycle.StatusDone, 100
		case 1:
			return ptacycle.StatusInProgress, 25 + 10*(i%6)
		}
		return ptacycle.StatusNotStarted, 0
	})
}

// report records each activity's outcome as its owner would, once: an
// activity already reported (its version moved) is left as it is. With
// evidence, what is done comes with an attendance sheet.
func (s *scenario) report(ctx context.Context, planID int64, evidence bool, outcome func(int, ptacycle.Activity) (ptacycle.ActivityStatus, int)) error {
	list, err := s.db.Activities(ctx, s.org.ID, postgres.ActivityFilter{PlanID: planID})
	if err != nil {
		return err
	}
	slices.SortFunc(list, func(a, b ptacycle.Activity) int { return cmp.Compare(a.ID, b.ID) }) // the file's order
	for i, a := range list {
		status, progress := outcome(i, a)
		if a.Version > 1 || status == ptacycle.StatusNotStarted {
			continue
		}
		comment := "Réalisée (démonstration)"
		if status != ptacycle.StatusDone {
			comment = "En cours (démonstration)"
		}
		p := postgres.Progress{ActivityID: a.ID, Version: a.Version, Status: status, Progress: progress, Comment: comment}
		if evidence && status == ptacycle.StatusDone {
			sheet, err := ptacycle.CheckEvidence("evidenceFile", "liste-de-presence-"+a.Code+".pdf", attendanceSheet)
			if err != nil {
				return err
			}
			p.Evidence = &sheet
		}
		if _, err := s.db.ReportProgress(ctx, s.actor(), p); err != nil {
			return fmt.Errorf("activité %s : %w", a.Code, err)
		}
	}
	return nil
}

func unitID(units []ptacycle.Unit, name string) int64 {
	for _, u := range units {
		if u.Name == name {
			return u.ID
		}
	}
	return 0
}
