package app

import (
	"fmt"
	"slices"

	"github.com/ptacycle/ptacycle"
)

// Permission is something a user may do. Every operation of the layer checks
// one; every route of the server names one, which drives its routing and
// the OpenAPI document.
type Permission string

const (
	Public              Permission = "public"            // no sign-in needed (login)
	Self                Permission = "self"              // any signed-in user, on their own account
	ReadOrganisation    Permission = "organisation.read" // units, regions, strategy, approval chain
	ReadUsers           Permission = "users.read"        // the organisation's directory
	ManageUsers         Permission = "users.manage"      // create users, change roles and units
	ManageUnits         Permission = "units.manage"      // units, regions and public holidays
	ManageStrategy      Permission = "strategy.manage"   // strategies and their axes
	ManageChain         Permission = "chain.manage"      // the approval chain and the usual deadlines
	ReadCycle           Permission = "cycle.read"        // cycles, bilan, recommendations, plan, versions, dashboard
	LaunchCycle         Permission = "cycle.launch"      // start a year
	EditBilan           Permission = "bilan.edit"        // workshop, lessons, difficulties, challenges; close
	EditRecommendations Permission = "recommendations.edit"
	EditPlan            Permission = "plan.edit"         // actions and activities while drafting, carry-over
	SubmitPlan          Permission = "plan.submit"       // submit, revise, close the cycle early
	Decide              Permission = "plan.decide"       // approve or send back, delegate
	ReportProgress      Permission = "activity.progress" // status, progress, comment, evidence during execution
	ReadAudit           Permission = "audit.read"
	ReadDeliveries      Permission = "deliveries.read" // reminders that could not be delivered
)

// permissions is the one table of who may do what. A permission missing
// here is refused to everyone: deny by default.
var permissions = map[Permission][]ptacycle.Role{
	ReadOrganisation:    {ptacycle.RoleCoordinator, ptacycle.RoleApprover, ptacycle.RoleOwner, ptacycle.RolePartner, ptacycle.RoleAdmin},
	ReadUsers:           {ptacycle.RoleCoordinator, ptacycle.RoleApprover, ptacycle.RoleAdmin},
	ManageUsers:         {ptacycle.RoleAdmin},
	ManageUnits:         {ptacycle.RoleAdmin},
	ManageStrategy:      {ptacycle.RoleAdmin, ptacycle.RoleCoordinator},
	ManageChain:         {ptacycle.RoleAdmin},
	ReadCycle:           {ptacycle.RoleCoordinator, ptacycle.RoleApprover, ptacycle.RoleOwner, ptacycle.RolePartner, ptacycle.RoleAdmin},
	LaunchCycle:         {ptacycle.RoleCoordinator},
	EditBilan:           {ptacycle.RoleCoordinator},
	EditRecommendations: {ptacycle.RoleCoordinator},
	EditPlan:            {ptacycle.RoleCoordinator},
	SubmitPlan:          {ptacycle.RoleCoordinator},
	Decide:              {ptacycle.RoleApprover},
	ReportProgress:      {ptacycle.RoleOwner, ptacycle.RoleCoordinator},
	ReadAudit:           {ptacycle.RoleCoordinator, ptacycle.RoleAdmin},
	ReadDeliveries:      {ptacycle.RoleCoordinator, ptacycle.RoleAdmin},
}

// Allowed reports whether role may do p.
func Allowed(role ptacycle.Role, p Permission) bool {
	if p == Self || p == Public {
		return true
	}
	return slices.Contains(permissions[p], role)
}

// Forbidden is the refusal of an operation to a role (nil: nobody signed in).
func Forbidden(role *ptacycle.Role) error {
	label := ptacycle.Label{FR: "—", EN: "—"}
	if role != nil {
		label = role.Label()
	}
	return &ptacycle.Error{Code: ptacycle.EFORBIDDEN,
		Message: fmt.Sprintf("Votre rôle (%s) ne permet pas cette action", label.FR),
		English: fmt.Sprintf("Your role (%s) does not allow this action", label.EN)}
}

// Roles lists the roles that may do p, as the table says.
func Roles(p Permission) []ptacycle.Role { return slices.Clone(permissions[p]) }
