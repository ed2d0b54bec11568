package app

import (
	"context"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/postgres"
)

// Execution is what owners and coordinators report on a plan's activities
// once a version is approved: status, progress, comments, evidence. The
// store checks the version read and that the plan was approved; the layer
// checks who reports on which activity, and tells the activity's follow-up.
type Execution struct{ *core }

// ReportProgress records the actor's report on activity p.ActivityID. Who
// reports on which activity is checked on the row the store locks, in its
// transaction: a report costs that transaction and the follow-up's signal.
func (e Execution) ReportProgress(ctx context.Context, a Actor, p Progress) (ptacycle.Activity, error) {
	if err := a.may(ReportProgress); err != nil {
		return ptacycle.Activity{}, err
	}
	return e.report(ctx, a, p)
}

// AttachEvidence records a file as evidence of an activity, read at
// version, its status and progress unchanged.
func (e Execution) AttachEvidence(ctx context.Context, a Actor, id int64, version int, comment string, file *ptacycle.EvidenceUpload) (ptacycle.Activity, error) {
	stored, err := e.Reportable(ctx, a, id)
	if err != nil {
		return stored, err
	}
	if file == nil {
		var v ptacycle.Validation
		v.Require("file", "", "Fichier de preuve", "Evidence file")
		return stored, v.Err()
	}
	return e.report(ctx, a, Progress{ActivityID: id, Version: version, Status: stored.Status, Progress: stored.Progress,
		PostponedTo: stored.PostponedTo, Comment: comment, Evidence: file})
}

// report writes a report of the actor, on an activity they may report on,
// then tells the activity's follow-up.
func (e Execution) report(ctx context.Context, a Actor, p Progress) (ptacycle.Activity, error) {
	p.Check = func(act ptacycle.Activity) error { return OwnerScope(a.User, act) }
	updated, err := e.db.ReportProgress(ctx, a.audit(), p)
	if err != nil {
		return updated, err
	}
	if year, slug, err := e.names(ctx, a.org(), updated.PlanID); err == nil {
		e.signalChanged(ctx, slug, year, updated.ID)
	}
	return updated, nil
}

// Reportable reads activity id for a report by the actor: ReportProgress,
// an activity of the actor's organisation and, for an owner, of their unit.
func (e Execution) Reportable(ctx context.Context, a Actor, id int64) (ptacycle.Activity, error) {
	if err := a.may(ReportProgress); err != nil {
		return ptacycle.Activity{}, err
	}
	act, err := e.db.Activity(ctx, a.org(), id)
	if err != nil {
		return act, err
	}
	return act, OwnerScope(a.User, act)
}

// HeldEvidence is a file a refused report left held for the next one.
type HeldEvidence = postgres.HeldEvidence

// HoldEvidence keeps the file of the actor's refused report on activity id
// (two hours, one per actor and activity), for the corrected form to send
// without the file: the report that names it takes it (Progress.HeldEvidence).
func (e Execution) HoldEvidence(ctx context.Context, a Actor, id int64, file ptacycle.EvidenceUpload) (HeldEvidence, error) {
	if _, err := e.Reportable(ctx, a, id); err != nil {
		return HeldEvidence{}, err
	}
	return e.db.HoldEvidence(ctx, a.org(), a.User.ID, id, file)
}

// HeldEvidenceOf describes the file held as heldID for the actor's report on
// activity id. EINVALID on the evidence field once it is no longer held.
func (e Execution) HeldEvidenceOf(ctx context.Context, a Actor, id, heldID int64) (HeldEvidence, error) {
	if _, err := e.Reportable(ctx, a, id); err != nil {
		return HeldEvidence{}, err
	}
	return e.db.HeldEvidenceOf(ctx, a.org(), a.User.ID, id, heldID)
}

// OwnerScope refuses an owner's report on an activity of another unit.
func OwnerScope(u ptacycle.User, act ptacycle.Activity) error {
	if u.Role == ptacycle.RoleOwner && (act.ResponsibleUnitID == nil || u.UnitID == nil || *act.ResponsibleUnitID != *u.UnitID) {
		return ptacycle.Errorf(ptacycle.EFORBIDDEN, "Cette activité relève d'une autre structure que la vôtre", "This activity belongs to another unit than yours")
	}
	return nil
}

// CanReport says whether u may report on act: the rule Reportable applies,
// for a page to show the form or not.
func CanReport(u ptacycle.User, act ptacycle.Activity) bool {
	return (Actor{User: u}).may(ReportProgress) == nil && OwnerScope(u, act) == nil
}
