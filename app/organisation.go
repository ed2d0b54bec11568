package app

import (
	"context"
	"strings"
	"time"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/postgres"
)

// Organisation is what an organisation keeps from year to year: its units
// and regions, its people, its strategy and axes, its approval chain, its
// usual deadlines and public holidays. Administrators keep most of it;
// coordinators keep the strategy.
type Organisation struct{ *core }

// Units lists the actor's organisation's units.
func (o Organisation) Units(ctx context.Context, a Actor) ([]ptacycle.Unit, error) {
	if err := a.may(ReadOrganisation); err != nil {
		return nil, err
	}
	return o.db.Units(ctx, a.org())
}

// CreateUnit adds a unit.
func (o Organisation) CreateUnit(ctx context.Context, a Actor, u ptacycle.Unit) (ptacycle.Unit, error) {
	if err := a.may(ManageUnits); err != nil {
		return u, err
	}
	u.ID = 0
	if err := o.unitNameFree(ctx, a, u); err != nil {
		return u, err
	}
	return o.db.CreateUnit(ctx, a.audit(), u)
}

// unitNameFree refuses a unit named as another is once folded (case,
// accents, spaces, hyphens: ptacycle.FoldName), as the import compares them.
func (o Organisation) unitNameFree(ctx context.Context, a Actor, u ptacycle.Unit) error {
	units, err := o.db.Units(ctx, a.org())
	if err != nil {
		return err
	}
	for _, other := range units {
		if other.ID != u.ID && ptacycle.FoldName(other.Name) == ptacycle.FoldName(u.Name) && ptacycle.FoldName(u.Name) != "" {
			var v ptacycle.Validation
			v.Add("name", "Une structure porte déjà ce nom : « %s »", "A unit already has this name: “%s”", other.Name)
			return v.Err()
		}
	}
	return nil
}

// UpdateUnit changes a unit.
func (o Organisation) UpdateUnit(ctx context.Context, a Actor, u ptacycle.Unit) (ptacycle.Unit, error) {
	if err := a.may(ManageUnits); err != nil {
		return u, err
	}
	if err := o.unitNameFree(ctx, a, u); err != nil {
		return u, err
	}
	return o.db.UpdateUnit(ctx, a.audit(), u)
}

// Regions lists the actor's organisation's regions.
func (o Organisation) Regions(ctx context.Context, a Actor) ([]ptacycle.Region, error) {
	if err := a.may(ReadOrganisation); err != nil {
		return nil, err
	}
	return o.db.Regions(ctx, a.org())
}

// CreateRegion adds a region.
func (o Organisation) CreateRegion(ctx context.Context, a Actor, name string) (ptacycle.Region, error) {
	if err := a.may(ManageUnits); err != nil {
		return ptacycle.Region{}, err
	}
	regions, err := o.db.Regions(ctx, a.org())
	if err != nil {
		return ptacycle.Region{}, err
	}
	for _, r := range regions {
		if ptacycle.FoldName(r.Name) == ptacycle.FoldName(name) && ptacycle.FoldName(name) != "" {
			var v ptacycle.Validation
			v.Add("name", "Une région porte déjà ce nom : « %s »", "A region already has this name: “%s”", r.Name)
			return ptacycle.Region{}, v.Err()
		}
	}
	return o.db.CreateRegion(ctx, a.audit(), strings.TrimSpace(name))
}

// Users lists the organisation's people, of one role when role is set.
func (o Organisation) Users(ctx context.Context, a Actor, role ptacycle.Role) ([]ptacycle.User, error) {
	if err := a.may(ReadUsers); err != nil {
		return nil, err
	}
	if role != "" && !role.Valid() {
		return nil, ptacycle.Errorf(ptacycle.EINVALID, "Rôle %q inconnu", "Unknown role %q", string(role))
	}
	return o.db.Users(ctx, a.org(), role)
}

// CreateUser adds a person with a first password; every problem of the
// person's fields and of the password is told at once.
func (o Organisation) CreateUser(ctx context.Context, a Actor, u ptacycle.User, password string) (ptacycle.User, error) {
	if err := a.may(ManageUsers); err != nil {
		return u, err
	}
	u.ID, u.OrganisationID, u.Active = 0, a.org(), true
	if u.Language == "" {
		u.Language = "fr"
	}
	err := ptacycle.JoinValidation(u.Validate(), ptacycle.ValidatePassword(password))
	// Said with the form's other problems, not after they are fixed.
	if _, _, lookup := o.db.UserByEmail(ctx, u.Email); lookup == nil {
		var v ptacycle.Validation
		v.Add("email", "Cette adresse e-mail est déjà utilisée", "This e-mail address is already used")
		err = ptacycle.JoinValidation(err, v.Err())
	}
	if err != nil {
		return u, err
	}
	hash, err := ptacycle.HashPassword(password)
	if err != nil {
		return u, err
	}
	return o.db.CreateUser(ctx, a.audit(), u, hash)
}

// UserChange is what an administrator changes of a person.
type UserChange = postgres.UserChange

// UpdateUser changes a person's name, role, unit, language and whether the
// account is active. Administrators cannot take away their own rights,
// which could leave nobody to manage the people.
func (o Organisation) UpdateUser(ctx context.Context, a Actor, id int64, change UserChange) (ptacycle.User, error) {
	if err := a.may(ManageUsers); err != nil {
		return ptacycle.User{}, err
	}
	if id == a.User.ID && (!change.Active || change.Role != ptacycle.RoleAdmin) {
		return ptacycle.User{}, ptacycle.Errorf(ptacycle.ECONFLICT, "Vous ne pouvez pas retirer vos propres droits d'administrateur",
			"You cannot remove your own administrator rights")
	}
	return o.db.UpdateUser(ctx, a.audit(), id, change)
}

// User reads one person of the organisation, for an administrator.
func (o Organisation) User(ctx context.Context, a Actor, id int64) (ptacycle.User, error) {
	if err := a.may(ManageUsers); err != nil {
		return ptacycle.User{}, err
	}
	return o.db.User(ctx, a.org(), id)
}

// Strategies lists the organisation's strategies with their axes.
func (o Organisation) Strategies(ctx context.Context, a Actor) ([]ptacycle.Strategy, error) {
	if err := a.may(ReadOrganisation); err != nil {
		return nil, err
	}
	return o.db.Strategies(ctx, a.org())
}

// CreateStrategy records a strategy and its axes (at least one).
func (o Organisation) CreateStrategy(ctx context.Context, a Actor, st ptacycle.Strategy) (ptacycle.Strategy, error) {
	if err := a.may(ManageStrategy); err != nil {
		return st, err
	}
	if err := CheckStrategy(st); err != nil {
		return st, err
	}
	st.ID = 0
	return o.db.CreateStrategy(ctx, a.audit(), st)
}

// CheckStrategy lists every problem of a strategy at once: its own fields,
// and that it has at least one axis.
func CheckStrategy(st ptacycle.Strategy) error {
	var v ptacycle.Validation
	if len(st.Axes) == 0 {
		v.Add("axes", "Saisissez au moins un axe, un par ligne", "Type at least one axis, one per line")
	}
	return ptacycle.JoinValidation(st.Validate(), v.Err())
}

// RenameAxis corrects an axis's title.
func (o Organisation) RenameAxis(ctx context.Context, a Actor, id int64, title string) (ptacycle.Axis, error) {
	if err := a.may(ManageStrategy); err != nil {
		return ptacycle.Axis{}, err
	}
	return o.db.RenameAxis(ctx, a.audit(), id, title)
}

// Chain is the organisation's approval chain.
func (o Organisation) Chain(ctx context.Context, a Actor) ([]ptacycle.ApprovalLevel, error) {
	if err := a.may(ReadOrganisation); err != nil {
		return nil, err
	}
	return o.db.ApprovalChain(ctx, a.org())
}

// SetChain replaces the approval chain (the store refuses one person on two
// levels, and approvers who are not the organisation's) and answers it as stored.
func (o Organisation) SetChain(ctx context.Context, a Actor, levels []ptacycle.ApprovalLevel) ([]ptacycle.ApprovalLevel, error) {
	if err := a.may(ManageChain); err != nil {
		return nil, err
	}
	if err := o.db.SetApprovalChain(ctx, a.audit(), levels); err != nil {
		return nil, err
	}
	return o.db.ApprovalChain(ctx, a.org())
}

// Holidays lists the organisation's public holidays of year.
func (o Organisation) Holidays(ctx context.Context, a Actor, year int) ([]ptacycle.Holiday, error) {
	if err := a.may(ReadOrganisation); err != nil {
		return nil, err
	}
	list, err := o.db.HolidayList(ctx, a.org(), ptacycle.NewDate(year, time.January, 1), ptacycle.NewDate(year, time.December, 31))
	if list == nil {
		list = []ptacycle.Holiday{}
	}
	return list, err
}

// SetHoliday adds or renames a public holiday.
func (o Organisation) SetHoliday(ctx context.Context, a Actor, day ptacycle.Date, name string) (ptacycle.Holiday, error) {
	if err := a.may(ManageUnits); err != nil {
		return ptacycle.Holiday{}, err
	}
	name = strings.TrimSpace(name)
	return ptacycle.Holiday{Day: day, Name: name}, o.db.SetHoliday(ctx, a.audit(), day, name)
}

// AddHoliday adds a public holiday; a day already a holiday under another
// name is refused, unless rename says the new name is meant (the API's PUT
// sets a day's name, SetHoliday).
func (o Organisation) AddHoliday(ctx context.Context, a Actor, day ptacycle.Date, name string, rename bool) (ptacycle.Holiday, error) {
	if err := a.may(ManageUnits); err != nil {
		return ptacycle.Holiday{}, err
	}
	if !rename && !day.IsZero() {
		same, err := o.db.HolidayList(ctx, a.org(), day, day)
		if err != nil {
			return ptacycle.Holiday{}, err
		}
		if len(same) > 0 && same[0].Name != strings.TrimSpace(name) {
			var v ptacycle.Validation
			v.Add("day", "Le %[1]s est déjà un jour férié, « %[3]s » : cochez « Renommer » pour l'appeler « %[4]s », ou choisissez un autre jour",
				"%[2]s is already a holiday, “%[3]s”: tick “Rename” to call it “%[4]s”, or choose another day", day.French(), day.String(), same[0].Name, strings.TrimSpace(name))
			return ptacycle.Holiday{}, v.Err()
		}
	}
	return o.SetHoliday(ctx, a, day, name)
}

// DeleteHoliday removes a public holiday.
func (o Organisation) DeleteHoliday(ctx context.Context, a Actor, day ptacycle.Date) error {
	if err := a.may(ManageUnits); err != nil {
		return err
	}
	return o.db.DeleteHoliday(ctx, a.audit(), day)
}

// DeadlineDays are the organisation's usual deadlines of the year.
func (o Organisation) DeadlineDays(ctx context.Context, a Actor) (ptacycle.DeadlineDays, error) {
	if err := a.may(ReadOrganisation); err != nil {
		return ptacycle.DeadlineDays{}, err
	}
	org, err := o.db.Organisation(ctx, a.org())
	return org.DeadlineDays, err
}

// SetDeadlineDays records the usual deadlines.
func (o Organisation) SetDeadlineDays(ctx context.Context, a Actor, d ptacycle.DeadlineDays) (ptacycle.DeadlineDays, error) {
	if err := a.may(ManageChain); err != nil {
		return d, err
	}
	return d, o.db.SetDeadlineDays(ctx, a.audit(), d)
}

// Audit lists the organisation's audit entries matching f, newest first.
func (o Organisation) Audit(ctx context.Context, a Actor, f postgres.AuditFilter) ([]ptacycle.AuditEntry, error) {
	if err := a.may(ReadAudit); err != nil {
		return nil, err
	}
	return o.db.Audit(ctx, a.org(), f)
}

// AuditLog is a page of the audit log and how people know the objects its
// entries name: an inspector reads names and codes, not ids.
type AuditLog struct {
	Entries []ptacycle.AuditEntry
	Names   map[ptacycle.AuditRef]ptacycle.AuditName
}

// AuditLog lists the organisation's audit entries matching f, newest first,
// with the names of the objects they are about and refer to. An object
// deleted since is named as its entry wrote it.
func (o Organisation) AuditLog(ctx context.Context, a Actor, f postgres.AuditFilter) (AuditLog, error) {
	entries, err := o.Audit(ctx, a, f)
	if err != nil {
		return AuditLog{}, err
	}
	var refs []ptacycle.AuditRef
	for _, e := range entries {
		refs = append(refs, e.References()...)
	}
	names, err := o.db.AuditNames(ctx, a.org(), refs)
	if err != nil {
		return AuditLog{}, err
	}
	for _, e := range entries {
		if r, ok := e.Object(); ok {
			if _, found := names[r]; !found {
				if n := e.ObjectName(); n != (ptacycle.AuditName{}) {
					names[r] = n
				}
			}
		}
	}
	return AuditLog{Entries: entries, Names: names}, nil
}

// DeliveryFailures lists the reminders that could not be delivered. These
// are other people's messages: a body may hold a link as good as a password
// (a reset, a one-click update), so only what failed is told.
func (o Organisation) DeliveryFailures(ctx context.Context, a Actor, limit int) ([]ptacycle.Reminder, error) {
	if err := a.may(ReadDeliveries); err != nil {
		return nil, err
	}
	failed, err := o.db.Reminders(ctx, a.org(), postgres.ReminderFilter{Status: "failed", Limit: limit})
	if failed == nil {
		failed = []ptacycle.Reminder{}
	}
	for i := range failed {
		failed[i].Body = ""
	}
	return failed, err
}

// ProcessFailures lists what the cycles could not do and went on without:
// a reminder, an announcement, a stage record (see workflows/sideeffects.go).
func (o Organisation) ProcessFailures(ctx context.Context, a Actor, limit int) ([]ptacycle.ProcessFailure, error) {
	if err := a.may(ReadDeliveries); err != nil {
		return nil, err
	}
	failed, err := o.db.ProcessFailures(ctx, a.org(), limit)
	if failed == nil {
		failed = []ptacycle.ProcessFailure{}
	}
	return failed, err
}

// AdminPage is what the administration page shows: people, units and
// regions, the usual deadlines, the public holidays of this year and the
// next, the approval chain.
type AdminPage struct {
	Directory
	Users        []ptacycle.User
	DeadlineDays ptacycle.DeadlineDays
	HolidayYears [2]int
	Holidays     []ptacycle.Holiday
	Chain        []ptacycle.ApprovalLevel
}

// AdminPage reads the administration page of the actor's organisation, as of today.
func (o Organisation) AdminPage(ctx context.Context, a Actor, today ptacycle.Date) (AdminPage, error) {
	var p AdminPage
	if err := a.may(ManageUsers); err != nil {
		return p, err
	}
	org := a.org()
	var err error
	if p.Users, err = o.db.Users(ctx, org, ""); err != nil {
		return p, err
	}
	p.People = make(map[int64]string, len(p.Users))
	for _, u := range p.Users {
		p.People[u.ID] = u.FullName
	}
	if p.Units, err = o.db.Units(ctx, org); err != nil {
		return p, err
	}
	if p.Regions, err = o.db.Regions(ctx, org); err != nil {
		return p, err
	}
	organisation, err := o.db.Organisation(ctx, org)
	if err != nil {
		return p, err
	}
	p.DeadlineDays = organisation.DeadlineDays
	year := today.Time().Year()
	p.HolidayYears = [2]int{year, year + 1}
	if p.Holidays, err = o.db.HolidayList(ctx, org, ptacycle.NewDate(year, time.January, 1), ptacycle.NewDate(year+1, time.December, 31)); err != nil {
		return p, err
	}
	p.Chain, err = o.db.ApprovalChain(ctx, org)
	return p, err
}
