package app

import (
	"bytes"
	"context"
	"time"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/xlsx"
)

// ImportPreview is what an import of a workbook brings (or brought) into a draft plan.
type ImportPreview struct {
	DryRun     bool             `json:"dryRun"`
	Actions    int              `json:"actions"`    // actions in the file
	NewActions int              `json:"newActions"` // of which the plan lacks (the others are kept as they are)
	Activities int              `json:"activities"`
	ByAxis     []xlsx.AxisCount `json:"byAxis"`
	// Warnings do not stop the import: activities due on a weekend or a public holiday.
	Warnings []ptacycle.FieldError `json:"warnings"`
	Import   ptacycle.PlanImport   `json:"-"`
}

// Import reads a workbook against the draft plan of year and, unless
// dryRun, adds it to the plan: all of it, or nothing with every problem
// listed by sheet, row and column.
func (p Plans) Import(ctx context.Context, a Actor, year int, file []byte, dryRun bool) (ImportPreview, error) {
	d, err := p.Drafting(ctx, a, year)
	if err != nil {
		return ImportPreview{}, err
	}
	preview, err := p.preview(ctx, d, file)
	if err == nil && !dryRun {
		err = p.write(ctx, a, d, &preview)
	}
	return preview, err
}

// CheckUpload reads a workbook against the draft plan of year, as Import
// with dryRun, and keeps it for ConfirmUpload (a day): it answers the preview and the upload's id.
func (p Plans) CheckUpload(ctx context.Context, a Actor, year int, fileName string, file []byte) (ImportPreview, int64, error) {
	d, err := p.Drafting(ctx, a, year)
	if err != nil {
		return ImportPreview{}, 0, err
	}
	preview, err := p.preview(ctx, d, file)
	if err != nil {
		return preview, 0, err
	}
	id, err := p.db.SaveUpload(ctx, d.Org.ID, a.User.ID, d.Plan.ID, fileName, file)
	return preview, id, err
}

// ConfirmUpload writes the workbook the actor checked as upload id into the
// draft plan of year, parsed again (units or the plan may have changed
// since), all or nothing; it answers what it wrote and the file's name.
func (p Plans) ConfirmUpload(ctx context.Context, a Actor, year int, id int64) (ImportPreview, string, error) {
	d, err := p.Drafting(ctx, a, year)
	if err != nil {
		return ImportPreview{}, "", err
	}
	up, err := p.db.Upload(ctx, d.Org.ID, a.User.ID, id)
	if err == nil && up.PlanID != d.Plan.ID {
		err = ptacycle.Errorf(ptacycle.ECONFLICT, "Ce fichier a été déposé pour un autre PTA", "This file was uploaded for another plan")
	}
	var preview ImportPreview
	if err == nil {
		preview, err = p.preview(ctx, d, up.Content)
	}
	if err == nil {
		err = p.write(ctx, a, d, &preview)
	}
	if err != nil {
		return preview, up.FileName, err
	}
	if err := p.db.DeleteUpload(ctx, d.Org.ID, id); err != nil {
		p.logger.Warn("import : fichier non effacé / upload not deleted", "id", id, "err", err)
	}
	return preview, up.FileName, nil
}

// preview parses file against the plan's reference and counts what it brings.
func (p Plans) preview(ctx context.Context, d YearPlan, file []byte) (ImportPreview, error) {
	org, planID := d.Org.ID, d.Plan.ID
	ref, err := p.db.PlanReference(ctx, org, planID)
	if err != nil {
		return ImportPreview{}, err
	}
	in, err := xlsx.Parse(bytes.NewReader(file), ref)
	if err != nil {
		return ImportPreview{}, err
	}
	existing, err := p.db.Actions(ctx, org, planID)
	if err != nil {
		return ImportPreview{}, err
	}
	holidays, err := p.holidays(ctx, org, ref.Year)
	if err != nil {
		return ImportPreview{}, err
	}
	activities := make([]ptacycle.Activity, len(in.Activities))
	for i, a := range in.Activities {
		activities[i] = a.Activity
	}
	preview := ImportPreview{DryRun: true, Actions: len(in.Actions), NewActions: len(in.Actions), Activities: len(in.Activities),
		ByAxis: xlsx.Summarize(in, ref), Warnings: ptacycle.DueDateWarnings(activities, holidays), Import: in}
	if preview.Warnings == nil {
		preview.Warnings = []ptacycle.FieldError{}
	}
	for _, a := range in.Actions {
		for _, e := range existing {
			if e.Code == a.Code {
				preview.NewActions--
				break
			}
		}
	}
	return preview, nil
}

// write writes a parsed import in one transaction.
func (p Plans) write(ctx context.Context, a Actor, d YearPlan, preview *ImportPreview) error {
	newActions, activities, err := p.db.ImportPlan(ctx, a.audit(), d.Plan.ID, preview.Import)
	preview.DryRun, preview.NewActions, preview.Activities = false, newActions, activities
	return err
}

// holidays lists the organisation's public holidays of year.
func (c *core) holidays(ctx context.Context, org int64, year int) ([]ptacycle.Holiday, error) {
	return c.db.HolidayList(ctx, org, ptacycle.NewDate(year, time.January, 1), ptacycle.NewDate(year, time.December, 31))
}
