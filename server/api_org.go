package server

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/app"
	"github.com/ptacycle/ptacycle/postgres"
)

// actor is the signed-in user as the author of a change.
func actor(c *gin.Context) ptacycle.Actor { return ptacycle.UserActor(*currentUser(c)) }

// as is the signed-in user acting through the command layer.
func as(c *gin.Context) app.Actor { return app.As(currentUser(c)) }

// org is the signed-in user's organisation id: every query is scoped by it.
func org(c *gin.Context) int64 { return currentUser(c).OrganisationID }

func (s *Server) listUnits(c *gin.Context) {
	units, err := s.deps.DB.Units(c.Request.Context(), org(c))
	s.reply(c, http.StatusOK, units, err)
}

func (s *Server) createUnit(c *gin.Context) {
	var u ptacycle.Unit
	if !s.bind(c, &u) {
		return
	}
	u, err := s.deps.DB.CreateUnit(c.Request.Context(), actor(c), u)
	if err == nil {
		created(c, "/units/%d", u.ID)
	}
	s.reply(c, http.StatusCreated, u, err)
}

func (s *Server) updateUnit(c *gin.Context) {
	id, ok := s.pathID(c, "id")
	var u ptacycle.Unit
	if !ok || !s.bind(c, &u) {
		return
	}
	u.ID = id
	u, err := s.deps.DB.UpdateUnit(c.Request.Context(), actor(c), u)
	s.reply(c, http.StatusOK, u, err)
}

func (s *Server) listRegions(c *gin.Context) {
	regions, err := s.deps.DB.Regions(c.Request.Context(), org(c))
	s.reply(c, http.StatusOK, regions, err)
}

type regionRequest struct {
	Name string `json:"name"`
}

func (s *Server) createRegion(c *gin.Context) {
	var in regionRequest
	if !s.bind(c, &in) {
		return
	}
	r, err := s.deps.DB.CreateRegion(c.Request.Context(), actor(c), in.Name)
	s.reply(c, http.StatusCreated, r, err)
}

func (s *Server) listUsers(c *gin.Context) {
	role := ptacycle.Role(c.Query("role"))
	if role != "" && !role.Valid() {
		s.fail(c, ptacycle.Errorf(ptacycle.EINVALID, "Rôle %q inconnu", "Unknown role %q", string(role)))
		return
	}
	users, err := s.deps.DB.Users(c.Request.Context(), org(c), role)
	s.reply(c, http.StatusOK, users, err)
}

// userRequest creates a user with a first password.
type userRequest struct {
	Email    string        `json:"email"`
	FullName string        `json:"fullName"`
	Role     ptacycle.Role `json:"role"`
	UnitID   *int64        `json:"unitId,omitempty"`
	Language string        `json:"language,omitempty"`
	Password string        `json:"password"`
}

func (s *Server) createUser(c *gin.Context) {
	var in userRequest
	if !s.bind(c, &in) {
		return
	}
	hash, err := ptacycle.HashPassword(in.Password)
	if err != nil {
		s.fail(c, err)
		return
	}
	u, err := s.deps.DB.CreateUser(c.Request.Context(), actor(c),
		ptacycle.User{Email: in.Email, FullName: in.FullName, Role: in.Role, UnitID: in.UnitID, Language: in.Language}, hash)
	if err == nil {
		created(c, "/users/%d", u.ID)
	}
	s.reply(c, http.StatusCreated, u, err)
}

// userUpdate is what an administrator changes of a user.
type userUpdate struct {
	FullName string        `json:"fullName"`
	Role     ptacycle.Role `json:"role"`
	UnitID   *int64        `json:"unitId,omitempty"`
	Language string        `json:"language"`
	Active   bool          `json:"active"`
}

func (s *Server) updateUser(c *gin.Context) {
	id, ok := s.pathID(c, "id")
	var in userUpdate
	if !ok || !s.bind(c, &in) {
		return
	}
	if err := selfDemotion(currentUser(c), id, in.Role, in.Active); err != nil {
		s.fail(c, err)
		return
	}
	u, err := s.deps.DB.UpdateUser(c.Request.Context(), actor(c), id,
		postgres.UserChange{FullName: in.FullName, Role: in.Role, UnitID: in.UnitID, Language: in.Language, Active: in.Active})
	s.reply(c, http.StatusOK, u, err)
}

func (s *Server) listStrategies(c *gin.Context) {
	strategies, err := s.deps.DB.Strategies(c.Request.Context(), org(c))
	s.reply(c, http.StatusOK, strategies, err)
}

func (s *Server) createStrategy(c *gin.Context) {
	var st ptacycle.Strategy
	if !s.bind(c, &st) {
		return
	}
	st, err := s.deps.DB.CreateStrategy(c.Request.Context(), actor(c), st)
	s.reply(c, http.StatusCreated, st, err)
}

func (s *Server) approvalChain(c *gin.Context) {
	chain, err := s.deps.DB.ApprovalChain(c.Request.Context(), org(c))
	s.reply(c, http.StatusOK, chain, err)
}

func (s *Server) setApprovalChain(c *gin.Context) {
	var levels []ptacycle.ApprovalLevel
	if !s.bind(c, &levels) {
		return
	}
	ctx := c.Request.Context()
	if err := s.deps.DB.SetApprovalChain(ctx, actor(c), levels); err != nil {
		s.fail(c, err)
		return
	}
	chain, err := s.deps.DB.ApprovalChain(ctx, org(c))
	s.reply(c, http.StatusOK, chain, err)
}

// remindersPage is a user's reminders with the count not yet read.
type remindersPage struct {
	Items  []ptacycle.Reminder `json:"items"`
	Unread int                 `json:"unread"`
}

func (s *Server) myReminders(c *gin.Context) {
	limit, ok := s.queryInt(c, "limit", 100)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	u := currentUser(c)
	items, err := s.deps.DB.Reminders(ctx, u.OrganisationID, postgres.ReminderFilter{RecipientID: u.ID, Channel: ptacycle.ChannelInApp,
		UnreadOnly: c.Query("unread") == "true", Limit: limit})
	if err != nil {
		s.fail(c, err)
		return
	}
	unread, err := s.deps.DB.UnreadReminders(ctx, u.OrganisationID, u.ID)
	s.reply(c, http.StatusOK, remindersPage{Items: items, Unread: unread}, err)
}

func (s *Server) readReminder(c *gin.Context) {
	id, ok := s.pathID(c, "id")
	if !ok {
		return
	}
	u := currentUser(c)
	s.reply(c, http.StatusNoContent, nil, s.deps.DB.MarkReminderRead(c.Request.Context(), u.OrganisationID, u.ID, id))
}

func (s *Server) listAudit(c *gin.Context) {
	limit, ok := s.queryInt(c, "limit", 100)
	if !ok {
		return
	}
	before, ok := s.queryInt(c, "before", 0)
	if !ok {
		return
	}
	f := postgres.AuditFilter{Entity: c.Query("entity"), EntityID: c.Query("entityId"), Limit: limit, BeforeID: int64(before)}
	if actorID, ok := s.queryInt(c, "actor", 0); !ok {
		return
	} else if actorID > 0 {
		id := int64(actorID)
		f.ActorID = &id
	}
	if since := c.Query("since"); since != "" {
		d, err := ptacycle.ParseDate(since)
		if err != nil {
			s.fail(c, err)
			return
		}
		f.Since = d.Time()
	}
	entries, err := s.deps.DB.Audit(c.Request.Context(), org(c), f)
	s.reply(c, http.StatusOK, entries, err)
}

// reply answers v with status, or the error.
func (s *Server) reply(c *gin.Context, status int, v any, err error) {
	if err != nil {
		s.fail(c, err)
		return
	}
	if status == http.StatusNoContent || v == nil {
		c.Status(status)
		return
	}
	c.JSON(status, v)
}

// yearParam reads the :year path parameter.
func (s *Server) yearParam(c *gin.Context) (int, bool) {
	y, err := strconv.Atoi(c.Param("year"))
	if err != nil || y < 2000 || y > 2100 {
		s.fail(c, ptacycle.Errorf(ptacycle.EINVALID, "Année %q invalide", "Invalid year %q", c.Param("year")))
		return 0, false
	}
	return y, true
}

// today is the current day in UTC; dates are days, not instants.
func today() ptacycle.Date { return ptacycle.DateOf(time.Now().UTC()) }

// preferencesRequest is how a user wants to be reminded, and in which language.
type preferencesRequest struct {
	Language string `json:"language"`
	ptacycle.Preferences
}

func (s *Server) setPreferences(c *gin.Context) {
	var in preferencesRequest
	if !s.bind(c, &in) {
		return
	}
	u := currentUser(c)
	updated, err := s.deps.DB.SetPreferences(c.Request.Context(), actor(c), u.ID, in.Preferences, in.Language)
	s.reply(c, http.StatusOK, updated, err)
}

func (s *Server) deliveryFailures(c *gin.Context) {
	limit, ok := s.queryInt(c, "limit", 100)
	if !ok {
		return
	}
	failed, err := s.deps.DB.Reminders(c.Request.Context(), org(c), postgres.ReminderFilter{Status: "failed", Limit: limit})
	if failed == nil {
		failed = []ptacycle.Reminder{}
	}
	// These are other people's messages: a body may hold a link as good as a
	// password (a reset, a one-click update), so only what failed is told.
	for i := range failed {
		failed[i].Body = ""
	}
	s.reply(c, http.StatusOK, failed, err)
}

// processFailures lists what the cycles could not do and went on without:
// a reminder, an announcement, a stage record (see workflows/sideeffects.go).
func (s *Server) processFailures(c *gin.Context) {
	limit, ok := s.queryInt(c, "limit", 100)
	if !ok {
		return
	}
	failed, err := s.deps.DB.ProcessFailures(c.Request.Context(), org(c), limit)
	if failed == nil {
		failed = []ptacycle.ProcessFailure{}
	}
	s.reply(c, http.StatusOK, failed, err)
}
