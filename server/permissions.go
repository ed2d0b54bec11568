package server

import (
	"slices"

	"github.com/ptacycle/ptacycle"
)

// action is something a user may do; every API route names one.
type action string

const (
	actPublic              action = "public"            // no sign-in needed (login)
	actSelf                action = "self"              // any signed-in user, on their own account
	actReadOrganisation    action = "organisation.read" // units, regions, strategy, approval chain
	actReadUsers           action = "users.read"        // the organisation's directory
	actManageUsers         action = "users.manage"      // create users, change roles and units
	actManageUnits         action = "units.manage"      // units, regions and public holidays
	actManageStrategy      action = "strategy.manage"   // strategies and their axes
	actManageChain         action = "chain.manage"      // the approval chain and the usual deadlines
	actReadCycle           action = "cycle.read"        // cycles, bilan, recommendations, plan, versions, dashboard
	actLaunchCycle         action = "cycle.launch"      // start a year
	actEditBilan           action = "bilan.edit"        // workshop, lessons, difficulties, challenges; close
	actEditRecommendations action = "recommendations.edit"
	actEditPlan            action = "plan.edit"         // actions and activities while drafting, carry-over
	actSubmitPlan          action = "plan.submit"       // submit, revise, close the cycle early
	actDecide              action = "plan.decide"       // approve or send back, delegate
	actReportProgress      action = "activity.progress" // status, progress, comment, evidence during execution
	actReadAudit           action = "audit.read"
	actReadDeliveries      action = "deliveries.read" // reminders that could not be delivered
)

// permissions is the one table of who may do what. A route whose action is
// missing here is refused to everyone: deny by default.
var permissions = map[action][]ptacycle.Role{
	actReadOrganisation:    {ptacycle.RoleCoordinator, ptacycle.RoleApprover, ptacycle.RoleOwner, ptacycle.RolePartner, ptacycle.RoleAdmin},
	actReadUsers:           {ptacycle.RoleCoordinator, ptacycle.RoleApprover, ptacycle.RoleAdmin},
	actManageUsers:         {ptacycle.RoleAdmin},
	actManageUnits:         {ptacycle.RoleAdmin},
	actManageStrategy:      {ptacycle.RoleAdmin, ptacycle.RoleCoordinator},
	actManageChain:         {ptacycle.RoleAdmin},
	actReadCycle:           {ptacycle.RoleCoordinator, ptacycle.RoleApprover, ptacycle.RoleOwner, ptacycle.RolePartner, ptacycle.RoleAdmin},
	actLaunchCycle:         {ptacycle.RoleCoordinator},
	actEditBilan:           {ptacycle.RoleCoordinator},
	actEditRecommendations: {ptacycle.RoleCoordinator},
	actEditPlan:            {ptacycle.RoleCoordinator},
	actSubmitPlan:          {ptacycle.RoleCoordinator},
	actDecide:              {ptacycle.RoleApprover},
	actReportProgress:      {ptacycle.RoleOwner, ptacycle.RoleCoordinator},
	actReadAudit:           {ptacycle.RoleCoordinator, ptacycle.RoleAdmin},
	actReadDeliveries:      {ptacycle.RoleCoordinator, ptacycle.RoleAdmin},
}

// allowed reports whether role may do act.
func allowed(role ptacycle.Role, act action) bool {
	if act == actSelf || act == actPublic {
		return true
	}
	return slices.Contains(permissions[act], role)
}
