package xlsx

import (
	"fmt"
	"io"
	"strings"

	"github.com/ptacycle/ptacycle"
)

// Sheets of the bilan report.
const (
	BilanSheet           = "Bilan"
	RatesSheet           = "Taux"
	RecommendationsSheet = "Recommandations"
)

// ExportBilan writes the report of a cycle's bilan: the rate, the workshop
// and its lists; the rates by axis, unit and region; the recommendations with
// the actions answering them and their execution. It prints on A4.
func ExportBilan(w io.Writer, r ptacycle.BilanReport) error {
	b := newBook(BilanSheet)
	bold, title, text, percent := b.style(&boldStyle), b.style(&titleStyle), b.style(&textStyle), b.style(&percentStyle)
	cell := func(col, row int) string { return fmt.Sprintf("%s%d", columnName(col), row) }

	sheet := BilanSheet
	b.width(sheet, 1, 28)
	b.width(sheet, 2, 90)
	b.row(sheet, 1, 1, fmt.Sprintf("Bilan du PTA %d — %s", r.Bilan.ReviewedYear, r.Organisation.Name))
	b.check(b.SetCellStyle(sheet, "A1", "A1", title))
	row := 3
	line := func(label string, value any) {
		b.row(sheet, 1, row, label, value)
		b.check(b.SetCellStyle(sheet, cell(1, row), cell(1, row), bold))
		b.check(b.SetCellStyle(sheet, cell(2, row), cell(2, row), text))
		row++
	}
	switch {
	case r.Bilan.Rates != nil:
		o := r.Bilan.Rates.Overall
		line("Taux d'exécution", o.Percent/100)
		b.check(b.SetCellStyle(sheet, cell(2, row-1), cell(2, row-1), percent))
		line("Activités", fmt.Sprintf("%d réalisées sur %d prévues ; %d annulées, non comptées", o.Done, o.Planned, o.Cancelled))
		line("Avancement moyen", o.AverageProgress/100)
		b.check(b.SetCellStyle(sheet, cell(2, row-1), cell(2, row-1), percent))
	case r.Bilan.ManualRate != nil:
		line("Taux d'exécution retenu par l'atelier", *r.Bilan.ManualRate/100)
		b.check(b.SetCellStyle(sheet, cell(2, row-1), cell(2, row-1), percent))
	default:
		line("Taux d'exécution", "non calculé : le PTA n'a pas été suivi dans ptacycle")
	}
	if !r.Bilan.WorkshopStart.IsZero() {
		line("Atelier de bilan", fmt.Sprintf("du %s au %s", r.Bilan.WorkshopStart.French(), r.Bilan.WorkshopEnd.French()))
	}
	if r.Bilan.WorkshopPlace != "" {
		line("Lieu", r.Bilan.WorkshopPlace)
	}
	row++
	for _, list := range []struct {
		label string
		items []string
	}{{"Participants", r.Bilan.Participants}, {"Leçons apprises", r.Bilan.Lessons},
		{"Difficultés rencontrées", r.Bilan.Difficulties}, {"Défis", r.Bilan.Challenges}} {
		if len(list.items) == 0 {
			line(list.label, "non renseigné")
		}
		for i, item := range list.items {
			label := ""
			if i == 0 {
				label = list.label
			}
			line(label, "• "+item)
		}
	}
	b.row(sheet, 1, row+1, ptacycle.RateFormula.FR)
	b.printOnA4(sheet, "portrait")

	b.newSheet(RatesSheet)
	writeBilanRates(b, r.Bilan.Rates)

	b.newSheet(RecommendationsSheet)
	sheet = RecommendationsSheet
	headers := []any{"N°", "Recommandation", "Adressée à", "Priorité", "Décision", "Actions du PTA qui y répondent", "Activités prévues", "Réalisées", "Taux"}
	b.row(sheet, 1, 1, headers...)
	b.check(b.SetCellStyle(sheet, "A1", cell(len(headers), 1), b.style(&headerStyle)))
	for col, width := range []float64{5, 60, 24, 10, 12, 60, 10, 10, 8} {
		b.width(sheet, col+1, width)
	}
	for i, rec := range r.Recommendations {
		decision := "Proposée"
		switch {
		case rec.Adopted:
			decision = "Adoptée"
		case r.RecommendationsFrozen:
			decision = "Non retenue"
		}
		actions := make([]string, len(rec.Actions))
		for j, a := range rec.Actions {
			actions[j] = a.Code + " – " + a.Title
		}
		var rate any
		if rec.Rate.Planned > 0 {
			rate = rec.Rate.Percent / 100
		}
		b.row(sheet, 1, i+2, rec.Position, rec.Text, rec.Unit, rec.Priority.Label().FR, decision, strings.Join(actions, "\n"),
			rec.Rate.Planned, rec.Rate.Done, rate)
		b.check(b.SetCellStyle(sheet, cell(1, i+2), cell(8, i+2), text))
		b.check(b.SetCellStyle(sheet, cell(9, i+2), cell(9, i+2), percent))
	}
	b.freezeRows(sheet, 1)
	b.printOnA4(sheet, "landscape")
	return b.writeTo(w)
}

// writeBilanRates writes the rates by axis, unit and region, one table under the other.
func writeBilanRates(b *book, rates *ptacycle.RateBreakdown) {
	sheet := RatesSheet
	header, bold, percent := b.style(&headerStyle), b.style(&boldStyle), b.style(&percentStyle)
	for col, width := range []float64{50, 10, 10, 10, 14} {
		b.width(sheet, col+1, width)
	}
	if rates == nil {
		b.row(sheet, 1, 1, "Taux non calculés : le PTA n'a pas été suivi dans ptacycle")
		return
	}
	row := 1
	for _, t := range []struct {
		heading string
		groups  []ptacycle.GroupRate
	}{{"Par axe", rates.ByAxis}, {"Par structure responsable", rates.ByUnit}, {"Par région", rates.ByRegion}} {
		b.row(sheet, 1, row, t.heading)
		b.check(b.SetCellStyle(sheet, fmt.Sprintf("A%d", row), fmt.Sprintf("A%d", row), bold))
		row++
		b.row(sheet, 1, row, "", "Prévues", "Réalisées", "Annulées", "Taux d'exécution")
		b.check(b.SetCellStyle(sheet, fmt.Sprintf("A%d", row), fmt.Sprintf("E%d", row), header))
		row++
		for _, g := range t.groups {
			b.row(sheet, 1, row, g.Key, g.Planned, g.Done, g.Cancelled, g.Percent/100)
			b.check(b.SetCellStyle(sheet, fmt.Sprintf("E%d", row), fmt.Sprintf("E%d", row), percent))
			row++
		}
		row++
	}
	b.printOnA4(sheet, "portrait")
}
