package xlsx_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/xlsx"
)

func TestExportBilan(t *testing.T) {
	rates := ptacycle.ComputeBreakdown([]ptacycle.RateItem{
		{Status: ptacycle.StatusDone, Axis: "A1", Unit: "CNLTP", Regions: []string{"Tonkpi"}},
		{Status: ptacycle.StatusDone, Axis: "A1", Unit: "CNLTP"},
		{Status: ptacycle.StatusInProgress, Progress: 50, Axis: "A2", Unit: "CRLTP Nawa", Regions: []string{"Nawa"}},
	})
	report := ptacycle.BilanReport{
		Organisation: ptacycle.Organisation{Name: "Comité National de Lutte contre la Traite des Personnes"},
		Year:         2024,
		Bilan: ptacycle.Bilan{ReviewedYear: 2023, Rates: &rates,
			WorkshopStart: ptacycle.NewDate(2024, time.February, 6), WorkshopEnd: ptacycle.NewDate(2024, time.February, 7), WorkshopPlace: "Grand-Bassam",
			Lessons: []string{"Première leçon", "Deuxième leçon"}, Challenges: []string{"Un défi"}},
		Recommendations: []ptacycle.RecommendationFollowUp{{
			Recommendation: ptacycle.Recommendation{Position: 1, Text: "Impliquer la société civile", Adopted: true, Priority: ptacycle.PriorityHigh},
			Unit:           "CNLTP",
			Actions:        []ptacycle.Action{{Code: "1.1", Title: "Impliquer la société civile dans le signalement"}},
			Rate:           ptacycle.Rate{Planned: 2, Done: 1, Percent: 50},
		}, {Recommendation: ptacycle.Recommendation{Position: 2, Text: "Une recommandation écartée"}}},
		RecommendationsFrozen: true,
	}
	var buf bytes.Buffer
	if err := xlsx.ExportBilan(&buf, report); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); len(got) != 3 || got[0] != xlsx.BilanSheet || got[1] != xlsx.RatesSheet || got[2] != xlsx.RecommendationsSheet {
		t.Errorf("sheets %v", got)
	}
	rows, err := f.GetRows(xlsx.BilanSheet)
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]string{}
	for _, r := range rows {
		if len(r) == 2 && r[0] != "" {
			found[r[0]] = r[1]
		}
	}
	if found["Taux d'exécution"] != "67%" || found["Atelier de bilan"] != "du 06/02/2024 au 07/02/2024" || found["Lieu"] != "Grand-Bassam" ||
		found["Leçons apprises"] != "• Première leçon" || found["Difficultés rencontrées"] != "non renseigné" {
		t.Errorf("bilan sheet = %q", found)
	}
	rec, err := f.GetRows(xlsx.RecommendationsSheet)
	if err != nil {
		t.Fatal(err)
	}
	if len(rec) != 3 || rec[1][1] != "Impliquer la société civile" || rec[1][4] != "Adoptée" || rec[1][5] != "1.1 – Impliquer la société civile dans le signalement" || rec[1][8] != "50%" ||
		rec[2][4] != "Non retenue" {
		t.Errorf("recommendations sheet = %q", rec)
	}
	// Before the adoption, a recommendation not adopted is only proposed.
	report.RecommendationsFrozen = false
	buf.Reset()
	if err := xlsx.ExportBilan(&buf, report); err != nil {
		t.Fatal(err)
	}
	open, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer open.Close()
	if rec, _ := open.GetRows(xlsx.RecommendationsSheet); len(rec) != 3 || rec[2][4] != "Proposée" {
		t.Errorf("recommendations sheet before adoption = %q", rec)
	}
	ratesRows, _ := f.GetRows(xlsx.RatesSheet)
	var regions []string
	for i, r := range ratesRows {
		if len(r) > 0 && r[0] == "Par région" {
			for _, g := range ratesRows[i+2:] {
				if len(g) == 0 {
					break
				}
				regions = append(regions, g[0]+" "+g[4])
			}
		}
	}
	if len(regions) != 3 || regions[0] != "National 100%" || regions[1] != "Nawa 0%" || regions[2] != "Tonkpi 100%" {
		t.Errorf("rates by region = %q", regions)
	}
	layout, err := f.GetPageLayout(xlsx.BilanSheet)
	if err != nil || layout.Size == nil || *layout.Size != 9 {
		t.Errorf("bilan sheet page layout %+v, %v: want A4", layout, err)
	}
}
