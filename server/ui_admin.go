package server

import (
	"cmp"
	"crypto/rand"
	"regexp"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/app"
	"github.com/ptacycle/ptacycle/ui"
)

// adminUnitKinds are the kinds of unit in the order the form offers them.
var adminUnitKinds = []ptacycle.UnitKind{ptacycle.UnitMinistry, ptacycle.UnitCommittee, ptacycle.UnitDirectorate,
	ptacycle.UnitRegionalCell, ptacycle.UnitNGO, ptacycle.UnitPartner, ptacycle.UnitOther}

// adminMaxChainLevels bounds the levels the chain form reads.
const adminMaxChainLevels = 20

type adminUserForm struct {
	Email, FullName, Role, UnitID, Language string
}

type adminUnitForm struct {
	Name, Acronym, Kind, RegionID, ParentID string
}

type adminHolidayForm struct {
	Day, Name string
	Rename    bool // the day's holiday is to take the new name
	Taken     bool // the day is already a holiday under another name
}

// adminDeadlinesForm are the usual deadlines as typed (15/02).
type adminDeadlinesForm struct {
	Bilan, Recommendations, Submission string
}

// adminChainRow is a level of the chain form: the stored one, or what was typed.
type adminChainRow struct {
	Level        int
	Name         string
	ApproverID   string
	DeadlineDays string
	Approvers    []ui.Option
}

// adminForms are what the administration forms hold after a refused post: what was typed and why it was refused.
type adminForms struct {
	NewUser        adminUserForm
	UserErrors     *ui.Errors
	EditID         int64 // the user whose edit was refused
	EditErrors     *ui.Errors
	NewUnit        adminUnitForm
	UnitErrors     *ui.Errors
	RegionName     string
	RegionErrors   *ui.Errors
	Chain          []adminChainRow
	ChainErrors    *ui.Errors
	NewHoliday     adminHolidayForm
	HolidayErrors  *ui.Errors
	Deadlines      *adminDeadlinesForm // nil: the stored ones
	DeadlineErrors *ui.Errors
}

// adminUser is a user with their edit form.
type adminUser struct {
	ptacycle.User
	Unit   string
	Roles  []ui.Option
	Units  []ui.Option
	Errors *ui.Errors
}

type adminUnit struct {
	ptacycle.Unit
	KindLabel, Region, Parent string
}

// adminPage is the administration of an organisation: users, units, regions, approval chain.
type adminPage struct {
	ui.Page
	adminForms
	Users      []adminUser
	Roles      []ui.Option
	Units      []ui.Option
	Languages  []ui.Option
	UnitList   []adminUnit
	Kinds      []ui.Option
	Regions    []ui.Option
	Parents    []ui.Option
	RegionList []string
	// Invitations: new accounts may get a link by e-mail to choose their password (PUBLIC_URL is set).
	Invitations bool
	// Holidays of this year and the next, which reminders avoid like weekends.
	Holidays     []ptacycle.Holiday
	HolidayYears [2]int
}

func (s *Server) uiAdmin(c *gin.Context) {
	data, err := s.adminData(c, adminForms{})
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, "admin", data)
}

func (s *Server) adminData(c *gin.Context, f adminForms) (adminPage, error) {
	ctx := c.Request.Context()
	data := adminPage{Page: s.page(c, "admin.title"), adminForms: f, Invitations: s.deps.PublicURL != ""}
	read, err := s.app.Organisation.AdminPage(ctx, as(c), today())
	if err != nil {
		return data, err
	}
	dir := newExecDirectory(read.Directory)
	units, regions, users := read.Units, read.Regions, read.Users
	roles := func(selected string) []ui.Option {
		out := make([]ui.Option, len(ptacycle.Roles))
		for i, r := range ptacycle.Roles {
			out[i] = ui.Option{Value: string(r), Label: data.L(r.Label()), Selected: string(r) == selected}
		}
		return out
	}
	unitOptions := func(selected string) []ui.Option {
		out := []ui.Option{{Value: "", Label: data.T("admin.none")}}
		for _, u := range units {
			id := strconv.FormatInt(u.ID, 10)
			out = append(out, ui.Option{Value: id, Label: u.Name, Selected: id == selected})
		}
		return out
	}
	for _, u := range users {
		row := adminUser{User: u, Unit: dir.unit(u.UnitID), Roles: roles(string(u.Role)), Units: unitOptions(adminIDValue(u.UnitID))}
		if u.ID == f.EditID {
			row.Errors = f.EditErrors
		}
		data.Users = append(data.Users, row)
	}
	data.Roles, data.Units = roles(cmp.Or(f.NewUser.Role, string(ptacycle.RoleOwner))), unitOptions(f.NewUser.UnitID)
	for _, l := range []struct{ code, name string }{{"fr", "Français"}, {"en", "English"}} {
		data.Languages = append(data.Languages, ui.Option{Value: l.code, Label: l.name, Selected: l.code == cmp.Or(f.NewUser.Language, "fr")})
	}

	for _, u := range units {
		row := adminUnit{Unit: u, KindLabel: data.L(u.Kind.Label()), Parent: dir.unit(u.ParentID), Region: "—"}
		if u.RegionID != nil {
			row.Region = dir.regions[*u.RegionID]
		}
		data.UnitList = append(data.UnitList, row)
	}
	for _, k := range adminUnitKinds {
		data.Kinds = append(data.Kinds, ui.Option{Value: string(k), Label: data.L(k.Label()), Selected: string(k) == cmp.Or(f.NewUnit.Kind, string(ptacycle.UnitDirectorate))})
	}
	data.Regions = []ui.Option{{Value: "", Label: data.T("admin.none")}}
	for _, r := range regions {
		id := strconv.FormatInt(r.ID, 10)
		data.Regions = append(data.Regions, ui.Option{Value: id, Label: r.Name, Selected: id == f.NewUnit.RegionID})
		data.RegionList = append(data.RegionList, r.Name)
	}
	data.Parents = unitOptions(f.NewUnit.ParentID)

	if data.Deadlines == nil {
		d := read.DeadlineDays
		data.Deadlines = &adminDeadlinesForm{Bilan: d.Bilan.Short(), Recommendations: d.Recommendations.Short(), Submission: d.Submission.Short()}
	}
	data.HolidayYears, data.Holidays = read.HolidayYears, read.Holidays

	if data.Chain == nil {
		chain := read.Chain
		for _, l := range chain {
			data.Chain = append(data.Chain, adminChainRow{Level: l.Level, Name: l.Name, ApproverID: strconv.FormatInt(l.ApproverID, 10), DeadlineDays: strconv.Itoa(l.DeadlineDays)})
		}
		data.Chain = append(data.Chain, adminChainRow{Level: len(chain) + 1, DeadlineDays: "10"})
	}
	for i := range data.Chain {
		row := &data.Chain[i]
		row.Approvers = []ui.Option{{Value: "", Label: data.T("admin.chain.chooseApprover")}}
		for _, u := range users {
			id := strconv.FormatInt(u.ID, 10)
			if u.Role == ptacycle.RoleApprover && (u.Active || id == row.ApproverID) {
				row.Approvers = append(row.Approvers, ui.Option{Value: id, Label: u.FullName, Selected: id == row.ApproverID})
			}
		}
	}
	return data, nil
}

// adminRefused shows the administration page again with a form's input and error.
func (s *Server) adminRefused(c *gin.Context, err error, f adminForms) {
	if ptacycle.ErrorCode(err) == ptacycle.EINTERNAL {
		s.fail(c, err)
		return
	}
	data, derr := s.adminData(c, f)
	if derr != nil {
		s.fail(c, derr)
		return
	}
	c.Status(statusOf(ptacycle.ErrorCode(err)))
	s.render(c, "admin", data)
}

func (s *Server) uiCreateUser(c *gin.Context) {
	f := adminUserForm{Email: strings.TrimSpace(c.PostForm("email")), FullName: strings.TrimSpace(c.PostForm("fullName")),
		Role: c.PostForm("role"), UnitID: c.PostForm("unitId"), Language: cmp.Or(c.PostForm("language"), "fr")}
	password := c.PostForm("password")
	// Without a password, the person chooses it through an invitation sent by e-mail.
	invite := password == "" && s.deps.PublicURL != ""
	if invite {
		password = rand.Text()
	}
	unitID, err := adminFormID("unitId", f.UnitID)
	u := ptacycle.User{Email: f.Email, FullName: f.FullName, Role: ptacycle.Role(f.Role), UnitID: unitID, Language: f.Language}
	if err == nil {
		u, err = s.app.Organisation.CreateUser(c.Request.Context(), as(c), u, password)
	}
	if err != nil {
		s.adminRefused(c, err, adminForms{NewUser: f, UserErrors: ui.FormErrors(err, lang(c))})
		return
	}
	message := "admin.user.created"
	if invite {
		message = "admin.user.invited"
		// The account exists: a failed invitation is said, not the creation undone; the button sends it again.
		if _, err := s.app.Organisation.Invite(c.Request.Context(), as(c), u.ID); err != nil {
			s.deps.Logger.Error("invitation", "err", err, "user_id", u.ID, "request_id", ptacycle.RequestID(c.Request.Context()))
			message = "admin.user.inviteFailed"
		}
	}
	s.flashT(c, message, "Name", u.FullName, "Email", u.Email)
	redirect(c, "/admin")
}

// uiInviteUser sends a user again a link to choose their password, valid 7 days.
func (s *Server) uiInviteUser(c *gin.Context) {
	id, ok := s.pathID(c, "id")
	if !ok {
		return
	}
	u, err := s.app.Organisation.Invite(c.Request.Context(), as(c), id)
	if err != nil {
		s.adminRefused(c, err, adminForms{EditID: id, EditErrors: ui.FormErrors(err, lang(c))})
		return
	}
	s.flashT(c, "admin.user.invited", "Name", u.FullName, "Email", u.Email)
	redirect(c, "/admin")
}

func (s *Server) uiUpdateUser(c *gin.Context) {
	id, ok := s.pathID(c, "id")
	if !ok {
		return
	}
	ctx := c.Request.Context()
	target, err := s.app.Organisation.User(ctx, as(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	role, active := ptacycle.Role(c.PostForm("role")), c.PostForm("active") != ""
	unitID, err := adminFormID("unitId", c.PostForm("unitId"))
	if err == nil {
		target, err = s.app.Organisation.UpdateUser(ctx, as(c), id,
			app.UserChange{FullName: target.FullName, Role: role, UnitID: unitID, Language: target.Language, Active: active})
	}
	if err != nil {
		s.adminRefused(c, err, adminForms{EditID: id, EditErrors: ui.FormErrors(err, lang(c))})
		return
	}
	s.flashT(c, "admin.user.updated", "Name", target.FullName)
	redirect(c, "/admin")
}

func (s *Server) uiCreateUnit(c *gin.Context) {
	f := adminUnitForm{Name: strings.TrimSpace(c.PostForm("name")), Acronym: strings.TrimSpace(c.PostForm("acronym")),
		Kind: c.PostForm("kind"), RegionID: c.PostForm("regionId"), ParentID: c.PostForm("parentId")}
	regionID, rerr := adminFormID("regionId", f.RegionID)
	parentID, perr := adminFormID("parentId", f.ParentID)
	u := ptacycle.Unit{Name: f.Name, Acronym: f.Acronym, Kind: ptacycle.UnitKind(f.Kind), RegionID: regionID, ParentID: parentID}
	err := ptacycle.JoinValidation(rerr, perr)
	if err == nil {
		u, err = s.app.Organisation.CreateUnit(c.Request.Context(), as(c), u)
	}
	if err != nil {
		s.adminRefused(c, err, adminForms{NewUnit: f, UnitErrors: ui.FormErrors(err, lang(c))})
		return
	}
	s.flashT(c, "admin.unit.created", "Name", u.Name)
	redirect(c, "/admin")
}

func (s *Server) uiCreateRegion(c *gin.Context) {
	name := strings.TrimSpace(c.PostForm("name"))
	r, err := s.app.Organisation.CreateRegion(c.Request.Context(), as(c), name)
	if err != nil {
		s.adminRefused(c, err, adminForms{RegionName: name, RegionErrors: ui.FormErrors(err, lang(c))})
		return
	}
	s.flashT(c, "admin.region.created", "Name", r.Name)
	redirect(c, "/admin")
}

// adminChainField names the inputs of the chain form: levels.<n>.<field>.
var adminChainField = regexp.MustCompile(`^levels\.([0-9]+)\.(name|approverId|deadlineDays)$`)

func (s *Server) uiSetChain(c *gin.Context) {
	if err := c.Request.ParseForm(); err != nil {
		s.fail(c, ptacycle.Errorf(ptacycle.EINVALID, "Formulaire illisible", "Unreadable form"))
		return
	}
	last := 0
	for key := range c.Request.PostForm {
		if m := adminChainField.FindStringSubmatch(key); m != nil {
			if n, err := strconv.Atoi(m[1]); err == nil && n <= adminMaxChainLevels {
				last = max(last, n)
			}
		}
	}
	var rows []adminChainRow
	var levels []ptacycle.ApprovalLevel
	for n := 1; n <= last; n++ {
		prefix := "levels." + strconv.Itoa(n) + "."
		row := adminChainRow{Level: n, Name: strings.TrimSpace(c.PostForm(prefix + "name")), ApproverID: c.PostForm(prefix + "approverId"),
			DeadlineDays: strings.TrimSpace(c.PostForm(prefix + "deadlineDays"))}
		rows = append(rows, row)
		if row.Name == "" && row.ApproverID == "" { // a blank row, like the one offered to add a level
			continue
		}
		approver, _ := strconv.ParseInt(row.ApproverID, 10, 64)
		days, _ := strconv.Atoi(row.DeadlineDays)
		levels = append(levels, ptacycle.ApprovalLevel{Level: n, Name: row.Name, ApproverID: approver, DeadlineDays: days})
	}
	_, err := s.app.Organisation.SetChain(c.Request.Context(), as(c), levels)
	if err != nil {
		rows = append(rows, adminChainRow{Level: last + 1, DeadlineDays: "10"})
		s.adminRefused(c, adminChainFieldNames(err, levels), adminForms{Chain: rows, ChainErrors: ui.FormErrors(adminChainFieldNames(err, levels), lang(c))})
		return
	}
	s.flashT(c, "admin.chain.saved", "Count", len(levels))
	redirect(c, "/admin")
}

var adminChainErrorField = regexp.MustCompile(`^levels\[([0-9]+)\]\.(\w+)$`)

// adminChainFieldNames renames ptacycle.ValidateChain's fields (levels[i].x, i counting the
// levels sent) to the form's inputs (levels.<n>.x); a gap is shown at the level's name.
func adminChainFieldNames(err error, levels []ptacycle.ApprovalLevel) error {
	return mapFields(err, func(field string) string {
		m := adminChainErrorField.FindStringSubmatch(field)
		if m == nil {
			return field
		}
		j, _ := strconv.Atoi(m[1])
		if j >= len(levels) {
			return field
		}
		name := m[2]
		if name == "level" {
			name = "name"
		}
		return "levels." + strconv.Itoa(levels[j].Level) + "." + name
	})
}

// adminFormID reads an optional id of a select; "" is none.
func adminFormID(field, raw string) (*int64, error) {
	if raw == "" {
		return nil, nil
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		var v ptacycle.Validation
		v.Add(field, "Choix invalide : %q", "Invalid choice: %q", raw)
		return nil, v.Err()
	}
	return &id, nil
}

func adminIDValue(id *int64) string {
	if id == nil {
		return ""
	}
	return strconv.FormatInt(*id, 10)
}
