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

// as is the signed-in user acting through the command layer.
func as(c *gin.Context) app.Actor { return app.As(currentUser(c)) }

func (s *Server) listUnits(c *gin.Context) {
	units, err := s.app.Organisation.Units(c.Request.Context(), as(c))
	s.reply(c, http.StatusOK, units, err)
}

func (s *Server) createUnit(c *gin.Context) {
	var u ptacycle.Unit
	if !s.bind(c, &u) {
		return
	}
	u, err := s.app.Organisation.CreateUnit(c.Request.Context(), as(c), u)
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
	u, err := s.app.Organisation.UpdateUnit(c.Request.Context(), as(c), u)
	s.reply(c, http.StatusOK, u, err)
}

func (s *Server) listRegions(c *gin.Context) {
	regions, err := s.app.Organisation.Regions(c.Request.Context(), as(c))
	s.reply(c, http.StatusOK, regions, err)
}

type regionRequest struct {
	Name string `json:"name" api:"required"`
}

func (s *Server) createRegion(c *gin.Context) {
	var in regionRequest
	if !s.bind(c, &in) {
		return
	}
	r, err := s.app.Organisation.CreateRegion(c.Request.Context(), as(c), in.Name)
	s.reply(c, http.StatusCreated, r, err)
}

func (s *Server) listUsers(c *gin.Context) {
	users, err := s.app.Organisation.Users(c.Request.Context(), as(c), ptacycle.Role(c.Query("role")))
	s.reply(c, http.StatusOK, users, err)
}

// userRequest creates a user with a first password.
type userRequest struct {
	Email    string        `json:"email" api:"required"`
	FullName string        `json:"fullName" api:"required"`
	Role     ptacycle.Role `json:"role" api:"required"`
	UnitID   *int64        `json:"unitId,omitempty"`
	Language string        `json:"language,omitempty"`
	Password string        `json:"password"`
}

func (s *Server) createUser(c *gin.Context) {
	var in userRequest
	if !s.bind(c, &in) {
		return
	}
	u, err := s.app.Organisation.CreateUser(c.Request.Context(), as(c),
		ptacycle.User{Email: in.Email, FullName: in.FullName, Role: in.Role, UnitID: in.UnitID, Language: in.Language}, in.Password)
	if err == nil {
		created(c, "/users/%d", u.ID)
	}
	s.reply(c, http.StatusCreated, u, err)
}

// userUpdate is what an administrator changes of a user.
type userUpdate struct {
	FullName string        `json:"fullName" api:"required"`
	Role     ptacycle.Role `json:"role" api:"required"`
	UnitID   *int64        `json:"unitId,omitempty"`
	Language string        `json:"language" api:"required"`
	Active   bool          `json:"active" api:"required"`
}

func (s *Server) updateUser(c *gin.Context) {
	id, ok := s.pathID(c, "id")
	var in userUpdate
	if !ok || !s.bind(c, &in) {
		return
	}
	u, err := s.app.Organisation.UpdateUser(c.Request.Context(), as(c), id,
		app.UserChange{FullName: in.FullName, Role: in.Role, UnitID: in.UnitID, Language: in.Language, Active: in.Active})
	s.reply(c, http.StatusOK, u, err)
}

// inviteUser e-mails a person a link to choose their password, as the administration page does.
func (s *Server) inviteUser(c *gin.Context) {
	id, ok := s.pathID(c, "id")
	if !ok {
		return
	}
	u, err := s.app.Organisation.Invite(c.Request.Context(), as(c), id)
	s.reply(c, http.StatusOK, u, err)
}

func (s *Server) listStrategies(c *gin.Context) {
	strategies, err := s.app.Organisation.Strategies(c.Request.Context(), as(c))
	s.reply(c, http.StatusOK, strategies, err)
}

func (s *Server) createStrategy(c *gin.Context) {
	var st ptacycle.Strategy
	if !s.bind(c, &st) {
		return
	}
	st, err := s.app.Organisation.CreateStrategy(c.Request.Context(), as(c), st)
	s.reply(c, http.StatusCreated, st, err)
}

func (s *Server) approvalChain(c *gin.Context) {
	chain, err := s.app.Organisation.Chain(c.Request.Context(), as(c))
	s.reply(c, http.StatusOK, chain, err)
}

func (s *Server) setApprovalChain(c *gin.Context) {
	var levels []ptacycle.ApprovalLevel
	if !s.bind(c, &levels) {
		return
	}
	chain, err := s.app.Organisation.SetChain(c.Request.Context(), as(c), levels)
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
	items, unread, err := s.app.Account.Reminders(c.Request.Context(), as(c), c.Query("unread") == "true", limit)
	s.reply(c, http.StatusOK, remindersPage{Items: items, Unread: unread}, err)
}

func (s *Server) readReminder(c *gin.Context) {
	id, ok := s.pathID(c, "id")
	if !ok {
		return
	}
	s.reply(c, http.StatusNoContent, nil, s.app.Account.ReadReminder(c.Request.Context(), as(c), id))
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
	entries, err := s.app.Organisation.Audit(c.Request.Context(), as(c), f)
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
	updated, err := s.app.Account.SetPreferences(c.Request.Context(), as(c), in.Preferences, in.Language)
	s.reply(c, http.StatusOK, updated, err)
}

func (s *Server) deliveryFailures(c *gin.Context) {
	limit, ok := s.queryInt(c, "limit", 100)
	if !ok {
		return
	}
	failed, err := s.app.Organisation.DeliveryFailures(c.Request.Context(), as(c), limit)
	s.reply(c, http.StatusOK, failed, err)
}

// processFailures lists what the cycles could not do and went on without.
func (s *Server) processFailures(c *gin.Context) {
	limit, ok := s.queryInt(c, "limit", 100)
	if !ok {
		return
	}
	failed, err := s.app.Organisation.ProcessFailures(c.Request.Context(), as(c), limit)
	s.reply(c, http.StatusOK, failed, err)
}
