package bench

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/postgres"
)

// Org is an organisation made for the benchmarks: regions, units of every
// kind, a strategy with five axes, a coordinator, an approver and owners,
// each owner in one of the units.
type Org struct {
	ptacycle.Organisation
	Coordinator ptacycle.User
	Approver    ptacycle.User
	Owners      []ptacycle.User
	Units       []ptacycle.Unit // every unit; owners are spread over them
	Regions     []ptacycle.Region
	Axes        []ptacycle.Axis
}

// benchRegions are regions of Côte d'Ivoire: the seed's five cells and nine more.
var benchRegions = []string{"Tonkpi", "San Pedro", "Gbêkê", "Nawa", "Indénié-Djuablin", "Poro", "Haut-Sassandra",
	"Cavally", "Bounkani", "Gontougo", "Lôh-Djiboua", "Agnéby-Tiassa", "Sud-Comoé", "Marahoué"}

var benchAxes = []string{"Prévention et sensibilisation", "Protection et assistance aux victimes", "Poursuites et répression",
	"Partenariat et coopération", "Coordination, suivi et évaluation"}

// LoadOrg creates organisation slug with owners owner users, through the
// store as an administrator would (one password hash shared by every user:
// argon2id is slow on purpose).
func LoadOrg(ctx context.Context, db *postgres.DB, slug string, owners int) (Org, error) {
	var o Org
	var err error
	if o.Organisation, err = db.CreateOrganisation(ctx, ptacycle.Actor{Label: "bench"}, ptacycle.Organisation{
		Slug: slug, Name: "Organisation de mesure " + slug, Acronym: "BENCH", Country: "Côte d'Ivoire", Timezone: "Africa/Abidjan",
	}); err != nil {
		return o, err
	}
	actor := ptacycle.Actor{OrganisationID: o.ID, Label: "bench"}
	for _, name := range benchRegions {
		r, err := db.CreateRegion(ctx, actor, name)
		if err != nil {
			return o, err
		}
		o.Regions = append(o.Regions, r)
	}
	ministry, err := db.CreateUnit(ctx, actor, ptacycle.Unit{Name: "Ministère de tutelle", Acronym: "MIN", Kind: ptacycle.UnitMinistry})
	if err != nil {
		return o, err
	}
	committee, err := db.CreateUnit(ctx, actor, ptacycle.Unit{Name: "Comité national", Acronym: "CN", Kind: ptacycle.UnitCommittee, ParentID: &ministry.ID})
	if err != nil {
		return o, err
	}
	o.Units = append(o.Units, ministry, committee)
	units := []ptacycle.Unit{
		{Name: "Direction de la protection de l'enfant", Acronym: "DPE", Kind: ptacycle.UnitDirectorate, ParentID: &ministry.ID},
		{Name: "Direction des affaires pénales", Acronym: "DAP", Kind: ptacycle.UnitDirectorate, ParentID: &ministry.ID},
		{Name: "Direction de la surveillance du territoire", Acronym: "DST", Kind: ptacycle.UnitDirectorate, ParentID: &ministry.ID},
		{Name: "Direction de l'emploi", Acronym: "DE", Kind: ptacycle.UnitDirectorate, ParentID: &ministry.ID},
		{Name: "Organisations de la société civile", Acronym: "OSC", Kind: ptacycle.UnitNGO},
		{Name: "Association des femmes juristes", Acronym: "AFJ", Kind: ptacycle.UnitNGO},
		{Name: "Partenaire technique et financier", Acronym: "PTF", Kind: ptacycle.UnitPartner},
	}
	for _, r := range o.Regions {
		units = append(units, ptacycle.Unit{Name: "Cellule régionale " + r.Name, Acronym: "CR", Kind: ptacycle.UnitRegionalCell, RegionID: &r.ID, ParentID: &committee.ID})
	}
	for _, u := range units {
		created, err := db.CreateUnit(ctx, actor, u)
		if err != nil {
			return o, err
		}
		o.Units = append(o.Units, created)
	}
	now := time.Now().Year()
	axes := make([]ptacycle.Axis, len(benchAxes))
	for i, title := range benchAxes {
		axes[i] = ptacycle.Axis{Code: fmt.Sprintf("A%d", i+1), Title: title}
	}
	strategy, err := db.CreateStrategy(ctx, actor, ptacycle.Strategy{Title: "Stratégie de mesure", StartYear: now - 5, EndYear: now + 5, Axes: axes})
	if err != nil {
		return o, err
	}
	o.Axes = strategy.Axes
	hash, err := ptacycle.HashPassword("bench-" + slug)
	if err != nil {
		return o, err
	}
	user := func(email, name string, role ptacycle.Role, unit int64) (ptacycle.User, error) {
		return db.CreateUser(ctx, actor, ptacycle.User{Email: email, FullName: name, Role: role, UnitID: &unit, Language: "fr"}, hash)
	}
	if o.Coordinator, err = user("coordination@"+slug+".example", "Coordination (mesure)", ptacycle.RoleCoordinator, committee.ID); err != nil {
		return o, err
	}
	if o.Approver, err = user("validation@"+slug+".example", "Validation (mesure)", ptacycle.RoleApprover, ministry.ID); err != nil {
		return o, err
	}
	for i := range owners {
		u, err := user(fmt.Sprintf("responsable-%04d@%s.example", i+1, slug), fmt.Sprintf("Responsable %04d (mesure)", i+1),
			ptacycle.RoleOwner, o.Units[i%len(o.Units)].ID)
		if err != nil {
			return o, err
		}
		o.Owners = append(o.Owners, u)
	}
	err = db.SetApprovalChain(ctx, actor, []ptacycle.ApprovalLevel{{Level: 1, Name: "Ministère", ApproverID: o.Approver.ID, DeadlineDays: 10}})
	return o, err
}

// LoadPlan creates org's cycle of year (stage bilan, driven by no workflow)
// and bulk-loads n activities into its plan; see LoadActivities for running.
func LoadPlan(ctx context.Context, db *postgres.DB, org Org, year, n int, running bool) (ptacycle.Plan, error) {
	if _, err := db.CreateCycle(ctx, ptacycle.SystemActor(org.ID), ptacycle.Cycle{Year: year,
		WorkflowID: fmt.Sprintf("bench/%s/%d", org.Slug, year), Deadlines: ptacycle.DefaultDeadlines(year)}); err != nil {
		return ptacycle.Plan{}, err
	}
	plan, err := db.Plan(ctx, org.ID, year)
	if err != nil {
		return plan, err
	}
	return plan, LoadActivities(ctx, db, org, plan, n, running)
}

// activitiesPerAction is how many activities each bulk-loaded action holds.
const activitiesPerAction = 10

// LoadActivities copies n activities into plan in bulk (COPY), the way a
// large PTA looks: actions over every axis; each activity's unit that of its
// owner (one in seven has no named owner); the regional cells' activities in
// their region, one in five in two more, the rest national; dates spread over
// the year. running gives a plan in mid-execution (30 % done, 30 % in
// progress, 25 % not started, 7 % postponed, 8 % cancelled, so the
// unfinished ones due before today are overdue); otherwise every activity is
// not started, as when execution begins.
func LoadActivities(ctx context.Context, db *postgres.DB, org Org, plan ptacycle.Plan, n int, running bool) error {
	if len(org.Owners) == 0 || n < 2*len(org.Owners) {
		return errors.New("bench: at least two activities per owner are needed")
	}
	actions := make([][]any, (n+activitiesPerAction-1)/activitiesPerAction)
	for i := range actions {
		axis := org.Axes[i%len(org.Axes)]
		actions[i] = []any{org.ID, plan.ID, axis.ID, fmt.Sprint(i + 1), fmt.Sprintf("Action %d de l'axe %s", i+1, axis.Code), i + 1}
	}
	if _, err := db.Pool.CopyFrom(ctx, pgx.Identifier{"actions"}, []string{"organisation_id", "plan_id", "axis_id", "code", "title", "position"},
		pgx.CopyFromRows(actions)); err != nil {
		return err
	}
	actionIDs, err := idsByCode(ctx, db, `SELECT code, id FROM actions WHERE plan_id = $1`, plan.ID)
	if err != nil {
		return err
	}
	unitRegion := map[int64]int64{}
	for _, u := range org.Units {
		if u.RegionID != nil {
			unitRegion[u.ID] = *u.RegionID
		}
	}
	jan1 := ptacycle.NewDate(plan.Year, time.January, 1)
	dec31 := ptacycle.NewDate(plan.Year, time.December, 31)
	funding := []string{"Budget de l'État", "Partenaire technique et financier", "Fonds propres", "À rechercher"}
	rows := make([][]any, n)
	codes, units := make([]string, n), make([]int64, n)
	for i := range rows {
		var owner *int64
		unit := org.Units[i%len(org.Units)].ID
		if i%7 != 6 {
			o := org.Owners[i%len(org.Owners)]
			owner, unit = &o.ID, *o.UnitID
		}
		start := jan1.AddDays(i * 13 % 300)
		due := start.AddDays(30 + i%60)
		if due.After(dec31) {
			due = dec31
		}
		status, progress, postponed := ptacycle.StatusNotStarted, 0, ptacycle.Date{}
		if running {
			switch bucket := i * 7 % 100; {
			case bucket < 30:
				status, progress = ptacycle.StatusDone, 100
			case bucket < 60:
				status, progress = ptacycle.StatusInProgress, 5+i*11%90
			case bucket < 85:
			case bucket < 92:
				status, postponed = ptacycle.StatusPostponed, due.AddDays(45)
			default:
				status = ptacycle.StatusCancelled
			}
		}
		action := i / activitiesPerAction
		units[i] = unit
		codes[i] = fmt.Sprintf("%d.%d", action+1, i%activitiesPerAction+1)
		rows[i] = []any{org.ID, plan.ID, actionIDs[fmt.Sprint(action+1)], codes[i],
			fmt.Sprintf("Activité de mesure n° %d : sensibiliser et former les acteurs locaux", i+1), unit, owner, start, due,
			int64(250_000 * (1 + i%40)), funding[i%len(funding)], "Nombre de personnes sensibilisées", fmt.Sprint(50 * (1 + i%20)),
			"Rapport d'activité et liste de présence", string(status), progress, postponed}
	}
	if _, err := db.Pool.CopyFrom(ctx, pgx.Identifier{"activities"}, []string{"organisation_id", "plan_id", "action_id", "code", "title",
		"responsible_unit_id", "owner_id", "start_date", "due_date", "budget_xof", "funding_source", "indicator", "target", "deliverable",
		"status", "progress", "postponed_to"}, pgx.CopyFromRows(rows)); err != nil {
		return err
	}
	activityIDs, err := idsByCode(ctx, db, `SELECT code, id FROM activities WHERE plan_id = $1`, plan.ID)
	if err != nil {
		return err
	}
	regions := make([][]any, 0, n)
	for i, code := range codes {
		id := activityIDs[code]
		seen := map[int64]bool{}
		add := func(region int64) {
			if !seen[region] {
				seen[region] = true
				regions = append(regions, []any{id, org.ID, region})
			}
		}
		if r, ok := unitRegion[units[i]]; ok {
			add(r)
		}
		if i%5 == 0 {
			add(org.Regions[i/5%len(org.Regions)].ID)
			add(org.Regions[(i/5+3)%len(org.Regions)].ID)
		}
	}
	if _, err = db.Pool.CopyFrom(ctx, pgx.Identifier{"activity_regions"}, []string{"activity_id", "organisation_id", "region_id"}, pgx.CopyFromRows(regions)); err != nil {
		return err
	}
	// The planner's statistics, as a database that has lived would have them; COPY leaves them stale.
	_, err = db.Pool.Exec(ctx, `ANALYZE actions, activities, activity_regions`)
	return err
}

func idsByCode(ctx context.Context, db *postgres.DB, query string, planID int64) (map[string]int64, error) {
	rows, err := db.Pool.Query(ctx, query, planID)
	if err != nil {
		return nil, err
	}
	ids := map[string]int64{}
	var code string
	var id int64
	_, err = pgx.ForEachRow(rows, []any{&code, &id}, func() error {
		ids[code] = id
		return nil
	})
	return ids, err
}

// StartExecution puts org's cycle of year in execution with its plan
// approved (version 1), directly in SQL: the state the approval workflow
// leaves, without playing it.
func StartExecution(ctx context.Context, db *postgres.DB, org Org, plan ptacycle.Plan) error {
	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `UPDATE cycles SET stage = 'execution' WHERE id = $1`, plan.CycleID); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE plans SET status = 'approved', current_version = 1 WHERE id = $1`, plan.ID); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO plan_versions (plan_id, number, content_hash, content, status, submitted_by)
		VALUES ($1, 1, repeat('0', 64), '{}', 'approved', $2)`, plan.ID, org.Coordinator.ID); err != nil {
		return err
	}
	return tx.Commit(ctx)
}
