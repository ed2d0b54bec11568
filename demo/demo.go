// Package demo loads the demonstration organisation of the seed scenario: the
// CNLTP of Côte d'Ivoire, its ministry, its five regional cells, its partner,
// one user per role, and its 2023 and 2024 cycles played through the product's
// own workflows. Loading twice changes nothing.
package demo

import (
	"context"

	"go.temporal.io/sdk/client"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/postgres"
)

// Slug is the demo organisation's identifier.
const Slug = "cnltp"

// Password is every demo user's password; `ptacycle dev` prints it. Never use the demo in production.
const Password = "demo-ptacycle"

// Login is a demo user to print.
type Login struct {
	Email string
	Role  ptacycle.Role
	Name  string
}

// Regions of the five regional cells installed in 2023.
var Regions = []string{"Tonkpi", "San Pedro", "Gbêkê", "Nawa", "Indénié-Djuablin"}

const (
	ministryName  = "Ministère de la Cohésion Nationale, de la Solidarité et de la Lutte contre la Pauvreté"
	committeeName = "Comité National de Lutte contre la Traite des Personnes"
	partnerName   = "Expertise France — projet ALTP"
)

type demoUser struct {
	email, name string
	role        ptacycle.Role
	unit        string
}

var users = []demoUser{
	{"coordonnateur@cnltp.demo", "Awa Koné (coordonnatrice, fictive)", ptacycle.RoleCoordinator, committeeName},
	{"valideur@cnltp.demo", "Représentante du ministère (fictive)", ptacycle.RoleApprover, ministryName},
	{"responsable.tonkpi@cnltp.demo", "Responsable CRLTP Tonkpi (fictif)", ptacycle.RoleOwner, "CRLTP Tonkpi"},
	{"partenaire@cnltp.demo", "Chargé de projet ALTP (fictif)", ptacycle.RolePartner, partnerName},
	{"admin@cnltp.demo", "Administrateur (fictif)", ptacycle.RoleAdmin, committeeName},
}

// Load creates what is missing of the demo organisation, takes its cycles
// where the story leaves them (2023 closed at 67 %, 2024 in execution), and
// returns its logins. The cycles' steps are workflow updates: a worker must be running.
func Load(ctx context.Context, db *postgres.DB, tc client.Client) ([]Login, error) {
	logins, err := LoadOrganisation(ctx, db)
	if err != nil {
		return nil, err
	}
	org, err := db.OrganisationBySlug(ctx, Slug)
	if err != nil {
		return nil, err
	}
	s := scenario{db: db, tc: tc, org: org}
	for _, u := range []struct {
		email string
		into  *ptacycle.User
	}{{"coordonnateur@cnltp.demo", &s.coord}, {"valideur@cnltp.demo", &s.approver}} {
		if *u.into, _, err = db.UserByEmail(ctx, u.email); err != nil {
			return nil, err
		}
	}
	return logins, s.play(ctx)
}

// LoadOrganisation creates what is missing of the demo organisation — units,
// users, strategy, approval chain — without any cycle, and returns its logins.
func LoadOrganisation(ctx context.Context, db *postgres.DB) ([]Login, error) {
	org, err := db.OrganisationBySlug(ctx, Slug)
	if ptacycle.ErrorCode(err) == ptacycle.ENOTFOUND {
		org, err = db.CreateOrganisation(ctx, ptacycle.Actor{Label: "démo"}, ptacycle.Organisation{
			Slug: Slug, Name: committeeName, Acronym: "CNLTP", Country: "Côte d'Ivoire", Timezone: "Africa/Abidjan",
		})
	}
	if err != nil {
		return nil, err
	}
	actor := ptacycle.Actor{OrganisationID: org.ID, Label: "démo"}
	unitIDs, err := loadUnits(ctx, db, actor)
	if err != nil {
		return nil, err
	}
	userIDs, err := loadUsers(ctx, db, actor, unitIDs)
	if err != nil {
		return nil, err
	}
	if err := loadStrategy(ctx, db, actor); err != nil {
		return nil, err
	}
	if err := loadHolidays(ctx, db, actor); err != nil {
		return nil, err
	}
	chain, err := db.ApprovalChain(ctx, org.ID)
	if err != nil {
		return nil, err
	}
	if len(chain) == 0 {
		if err := db.SetApprovalChain(ctx, actor, []ptacycle.ApprovalLevel{
			{Level: 1, Name: "Représentant du ministère", ApproverID: userIDs["valideur@cnltp.demo"], DeadlineDays: 10},
		}); err != nil {
			return nil, err
		}
	}
	logins := make([]Login, len(users))
	for i, u := range users {
		logins[i] = Login{Email: u.email, Role: u.role, Name: u.name}
	}
	return logins, nil
}

func loadUnits(ctx context.Context, db *postgres.DB, actor ptacycle.Actor) (map[string]int64, error) {
	regionIDs := map[string]int64{}
	regions, err := db.Regions(ctx, actor.OrganisationID)
	if err != nil {
		return nil, err
	}
	for _, r := range regions {
		regionIDs[r.Name] = r.ID
	}
	for _, name := range Regions {
		if _, ok := regionIDs[name]; ok {
			continue
		}
		r, err := db.CreateRegion(ctx, actor, name)
		if err != nil {
			return nil, err
		}
		regionIDs[name] = r.ID
	}
	unitIDs := map[string]int64{}
	existing, err := db.Units(ctx, actor.OrganisationID)
	if err != nil {
		return nil, err
	}
	for _, u := range existing {
		unitIDs[u.Name] = u.ID
	}
	ensure := func(u ptacycle.Unit) error {
		if _, ok := unitIDs[u.Name]; ok {
			return nil
		}
		created, err := db.CreateUnit(ctx, actor, u)
		unitIDs[u.Name] = created.ID
		return err
	}
	if err := ensure(ptacycle.Unit{Name: ministryName, Acronym: "MCNSLP", Kind: ptacycle.UnitMinistry}); err != nil {
		return nil, err
	}
	ministry := unitIDs[ministryName]
	if err := ensure(ptacycle.Unit{Name: committeeName, Acronym: "CNLTP", Kind: ptacycle.UnitCommittee, ParentID: &ministry}); err != nil {
		return nil, err
	}
	committee := unitIDs[committeeName]
	for _, region := range Regions {
		id := regionIDs[region]
		if err := ensure(ptacycle.Unit{Name: "CRLTP " + region, Acronym: "CRLTP", Kind: ptacycle.UnitRegionalCell, RegionID: &id, ParentID: &committee}); err != nil {
			return nil, err
		}
	}
	// The bodies the plans' activities involve besides the committee; the
	// article does not list them, so their part in the plans is illustrative.
	for _, u := range []ptacycle.Unit{
		{Name: partnerName, Acronym: "EF-ALTP", Kind: ptacycle.UnitPartner},
		{Name: "Ministère de la Justice et des Droits de l'Homme", Acronym: "MJDH", Kind: ptacycle.UnitMinistry},
		{Name: "Sous-direction de la lutte contre la traite des enfants et la délinquance juvénile", Acronym: "SDLTEDJ", Kind: ptacycle.UnitDirectorate},
		{Name: "Direction de la protection de l'enfant", Acronym: "DPE", Kind: ptacycle.UnitDirectorate},
		{Name: "Organisations de la société civile", Acronym: "OSC", Kind: ptacycle.UnitNGO},
	} {
		if err := ensure(u); err != nil {
			return nil, err
		}
	}
	return unitIDs, nil
}

func loadUsers(ctx context.Context, db *postgres.DB, actor ptacycle.Actor, unitIDs map[string]int64) (map[string]int64, error) {
	ids := map[string]int64{}
	var hash string
	for _, u := range users {
		existing, _, err := db.UserByEmail(ctx, u.email)
		if err == nil {
			ids[u.email] = existing.ID
			continue
		}
		if ptacycle.ErrorCode(err) != ptacycle.ENOTFOUND {
			return nil, err
		}
		if hash == "" {
			if hash, err = ptacycle.HashPassword(Password); err != nil {
				return nil, err
			}
		}
		unit := unitIDs[u.unit]
		created, err := db.CreateUser(ctx, actor, ptacycle.User{Email: u.email, FullName: u.name, Role: u.role, UnitID: &unit, Language: "fr"}, hash)
		if err != nil {
			return nil, err
		}
		ids[u.email] = created.ID
	}
	return ids, nil
}

// loadStrategy creates the 2022–2025 strategy. Its axes follow the "4P" frame
// of the fight against trafficking plus coordination; the article does not list
// the CNLTP's own axes, so these titles are illustrative and say so.
func loadStrategy(ctx context.Context, db *postgres.DB, actor ptacycle.Actor) error {
	existing, err := db.Strategies(ctx, actor.OrganisationID)
	if err != nil || len(existing) > 0 {
		return err
	}
	_, err = db.CreateStrategy(ctx, actor, ptacycle.Strategy{
		Title: "Stratégie nationale et plan d'actions de lutte contre la traite des personnes 2022–2025", StartYear: 2022, EndYear: 2025,
		Axes: []ptacycle.Axis{
			{Code: "A1", Title: "Prévention et sensibilisation (illustratif)"},
			{Code: "A2", Title: "Protection et assistance aux victimes (illustratif)"},
			{Code: "A3", Title: "Poursuites et répression (illustratif)"},
			{Code: "A4", Title: "Partenariat et coopération (illustratif)"},
			{Code: "A5", Title: "Coordination, suivi et évaluation (illustratif)"},
		},
	})
	return err
}
