package xlsx_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"math/rand/v2"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/xlsx"
)

func TestTemplate(t *testing.T) {
	ref := MustReference(t)
	data := MustBytes(t, func(b *bytes.Buffer) error { return xlsx.Template(b, ref) })

	t.Run("ImportsAsEmptySheet", func(t *testing.T) {
		e := MustFail(t, data, ref, ptacycle.EINVALID)
		want := []ptacycle.FieldError{{Field: "PTA", Message: "La feuille PTA ne contient aucune activité", English: "Sheet PTA holds no activity"}}
		if !reflect.DeepEqual(e.Fields, want) {
			t.Fatalf("Fields = %+v, want %+v", e.Fields, want)
		}
		if e.Message != "Le fichier contient 1 erreur ; rien n'a été importé. La feuille PTA ne contient aucune activité" {
			t.Errorf("Message = %q", e.Message)
		}
		if e.English != "The file has 1 error; nothing was imported. Sheet PTA holds no activity" {
			t.Errorf("English = %q", e.English)
		}
	})

	t.Run("Sheets", func(t *testing.T) {
		f, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if got, want := f.GetSheetList(), []string{"PTA", "Mode d'emploi", "Référentiels"}; !reflect.DeepEqual(got, want) {
			t.Fatalf("sheets = %q, want %q", got, want)
		}
		header, err := f.GetRows("PTA")
		if err != nil || len(header) != 1 || !reflect.DeepEqual(header[0], templateHeader) {
			t.Fatalf("PTA rows = %q (%v), want the header only", header, err)
		}
		panes, err := f.GetPanes("PTA")
		if err != nil || !panes.Freeze || panes.YSplit != 1 {
			t.Errorf("PTA panes = %+v (%v), want the header frozen", panes, err)
		}
		validations, err := f.GetDataValidations("PTA")
		if err != nil {
			t.Fatal(err)
		}
		sources := map[string]string{}
		for _, dv := range validations {
			sources[dv.Sqref] = dv.Formula1
		}
		wantSources := map[string]string{
			"A2:A5001": "'Référentiels'!$A$2:$A$4", "F2:F5001": "'Référentiels'!$D$2:$D$6",
			"K2:K5001": "'Référentiels'!$I$2:$I$5", "Q2:Q5001": `"oui,non"`,
		}
		if !reflect.DeepEqual(sources, wantSources) {
			t.Errorf("data validations = %v, want %v", sources, wantSources)
		}
		lists, err := f.GetRows("Référentiels")
		if err != nil {
			t.Fatal(err)
		}
		if lists[1][0] != "1" || lists[3][1] != "Suivi et évaluation" || lists[1][3] != "Agence d'exécution" || lists[1][6] != "Bélier" || lists[4][8] != "T4" {
			t.Errorf("Référentiels = %q", lists)
		}
		instructions, err := f.GetRows("Mode d'emploi")
		if err != nil {
			t.Fatal(err)
		}
		var documented []string
		for _, row := range instructions {
			if len(row) == 5 && slices.Contains(templateHeader, row[0]) {
				documented = append(documented, row[0])
			}
		}
		if !reflect.DeepEqual(documented, templateHeader) {
			t.Errorf("Mode d'emploi documents %q, want every column", documented)
		}
	})

	t.Run("ExampleRowImports", func(t *testing.T) {
		f, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		instructions, err := f.GetRows("Mode d'emploi")
		if err != nil {
			t.Fatal(err)
		}
		example := map[string]any{}
		for _, row := range instructions {
			if len(row) == 5 && slices.Contains(templateHeader, row[0]) {
				example[row[0]] = row[4]
			}
		}
		in := MustParse(t, MustWorkbook(t, templateHeader, [][]any{MustRow(t, example)}), ref)
		if len(in.Activities) != 1 || in.Activities[0].BudgetXOF != 2_500_000 || in.Activities[0].DueDate != date(time.June, 30) {
			t.Errorf("example row imports as %+v", in.Activities)
		}
	})
}

func TestExportPlanRoundTrip(t *testing.T) {
	ref := MustReference(t)
	actions, activities := MustPlan(t)
	shuffled := slices.Clone(activities)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	data := MustBytes(t, func(b *bytes.Buffer) error { return xlsx.ExportPlan(b, ref, actions, shuffled) })

	got := MustParse(t, data, ref)
	want := MustImportOf(t, actions, activities)
	if !reflect.DeepEqual(got.Actions, want.Actions) {
		t.Errorf("Actions =\n%+v\nwant\n%+v", got.Actions, want.Actions)
	}
	if len(got.Activities) != len(want.Activities) {
		t.Fatalf("%d activities, want %d", len(got.Activities), len(want.Activities))
	}
	for i := range want.Activities {
		if !reflect.DeepEqual(got.Activities[i], want.Activities[i]) {
			t.Errorf("activity %d =\n%+v\nwant\n%+v", i, got.Activities[i], want.Activities[i])
		}
	}

	t.Run("WrittenAsDatesAndNumbers", func(t *testing.T) {
		f, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		for cell, want := range map[string]string{"I2": "15/01/2024", "J2": "31/03/2024", "L2": "2 500 000", "G2": "ONG Solidarité, Santé et Développement; Ministère de la Santé",
			"A2": "1", "A12": "", "Q3": "oui", "Q2": ""} {
			got, err := f.GetCellValue("PTA", cell)
			if err != nil {
				t.Fatal(err)
			}
			// #,##0 shows the thousands separator of the reader's locale, a comma for excelize.
			if got != want && strings.ReplaceAll(got, ",", " ") != want {
				t.Errorf("%s = %q, want %q", cell, got, want)
			}
		}
		for _, cell := range []string{"J2", "L2"} {
			if typ, err := f.GetCellType("PTA", cell); err != nil || typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
				t.Errorf("%s is of type %v (%v), want a number", cell, typ, err)
			}
		}
	})
}

func excelDate(d ptacycle.Date) int {
	return int(d.Time().Sub(time.Date(1899, time.December, 30, 0, 0, 0, 0, time.UTC)).Hours() / 24)
}

func TestParseVariants(t *testing.T) {
	ref := MustReference(t)
	march15 := date(time.March, 15)
	tests := []struct {
		name  string
		set   map[string]any
		check func(ptacycle.ImportedActivity) any // the value read
		want  any
	}{
		{"DateDayFirst", map[string]any{"Échéance": "15/03/2024"}, due, march15},
		{"DateShortDayMonth", map[string]any{"Échéance": "5/3/2024"}, due, date(time.March, 5)},
		{"DateDashes", map[string]any{"Échéance": "15-03-2024"}, due, march15},
		{"DateISO", map[string]any{"Échéance": "2024-03-15"}, due, march15},
		{"DateSerialNumber", map[string]any{"Échéance": excelDate(march15)}, due, march15},
		{"DateTypedCell", map[string]any{"Échéance": time.Date(2024, time.March, 15, 0, 0, 0, 0, time.UTC)}, due, march15},
		{"DateWithTime", map[string]any{"Échéance": float64(excelDate(march15)) + 0.75}, due, march15},
		{"LeapDay", map[string]any{"Échéance": "29/02/2024"}, due, date(time.February, 29)},
		{"BudgetNumber", map[string]any{"Budget (FCFA)": 2500000}, budget, int64(2_500_000)},
		{"BudgetWholeFloat", map[string]any{"Budget (FCFA)": 2500000.0}, budget, int64(2_500_000)},
		{"BudgetSpaces", map[string]any{"Budget (FCFA)": "2 500 000"}, budget, int64(2_500_000)},
		{"BudgetNonBreakingSpaces", map[string]any{"Budget (FCFA)": "2\u00a0500\u00a0000"}, budget, int64(2_500_000)},
		{"BudgetNarrowSpaces", map[string]any{"Budget (FCFA)": "2\u202f500\u202f000"}, budget, int64(2_500_000)},
		{"BudgetDots", map[string]any{"Budget (FCFA)": "2.500.000"}, budget, int64(2_500_000)},
		{"BudgetCommas", map[string]any{"Budget (FCFA)": "2,500,000"}, budget, int64(2_500_000)},
		{"BudgetCurrency", map[string]any{"Budget (FCFA)": "2500000 FCFA"}, budget, int64(2_500_000)},
		{"BudgetSpacedCurrency", map[string]any{"Budget (FCFA)": "2 500 000 F CFA"}, budget, int64(2_500_000)},
		{"BudgetThousandAsText", map[string]any{"Budget (FCFA)": "2.125"}, budget, int64(2_125)},
		{"BudgetEmpty", map[string]any{"Budget (FCFA)": nil}, budget, int64(0)},
		{"UnitAcronym", map[string]any{"Structure responsable": "DPE"}, responsible, int64(10)},
		{"UnitAcronymLowercase", map[string]any{"Structure responsable": "dpe"}, responsible, int64(10)},
		{"UnitNameWithoutAccents", map[string]any{"Structure responsable": "Direction de la planification et des etudes"}, responsible, int64(10)},
		{"UnitNameSpacesAndCase", map[string]any{"Structure responsable": "  direction  de la PLANIFICATION et des études "}, responsible, int64(10)},
		{"UnitNameTypographicApostrophe", map[string]any{"Structure responsable": "Agence d’exécution"}, responsible, int64(14)},
		{"PartnersSemicolons", map[string]any{"Partenaires": "DPE; CRN"}, partners, []int64{10, 11}},
		{"PartnersCommas", map[string]any{"Partenaires": "DPE, CRN"}, partners, []int64{10, 11}},
		{"PartnersLines", map[string]any{"Partenaires": "DPE\nCRN\n"}, partners, []int64{10, 11}},
		{"PartnerNameWithComma", map[string]any{"Partenaires": "ONG Solidarité, Santé et Développement; MS"}, partners, []int64{12, 13}},
		{"PartnerTwice", map[string]any{"Partenaires": "MS; Ministère de la santé"}, partners, []int64{13}},
		{"RegionsWithoutAccents", map[string]any{"Régions": "nord, belier"}, regions, []int64{20, 21}},
		{"RegionCircumflex", map[string]any{"Régions": "GBEKE"}, regions, []int64{22}},
		{"AxisWord", map[string]any{"Axe": "Axe 1"}, nil, int64(1)},
		{"AxisCode", map[string]any{"Axe": "1"}, nil, int64(1)},
		{"AxisWordGlued", map[string]any{"Axe": "axe1"}, nil, int64(1)},
		{"AxisTitle", map[string]any{"Axe": "gouvernance et coordination"}, nil, int64(1)},
		{"AxisLetterCode", map[string]any{"Axe": "Axe A3"}, nil, int64(3)},
		{"AxisLetterCodeLowercase", map[string]any{"Axe": "a3"}, nil, int64(3)},
		{"AxisNumberOfLetterCode", map[string]any{"Axe": "Axe 3"}, nil, int64(3)},
		{"AxisBareNumberOfLetterCode", map[string]any{"Axe": "3"}, nil, int64(3)},
		{"AxisNumberLeadingZero", map[string]any{"Axe": "Axe 03"}, nil, int64(3)},
		{"QuarterT", map[string]any{"Trimestre": "T2", "Début": nil, "Échéance": nil}, startAndDue, [2]ptacycle.Date{date(time.April, 1), date(time.June, 30)}},
		{"QuarterOrdinal", map[string]any{"Trimestre": "1er trimestre", "Début": nil, "Échéance": nil}, startAndDue, [2]ptacycle.Date{date(time.January, 1), date(time.March, 31)}},
		{"QuarterFrenchSecond", map[string]any{"Trimestre": "2ème trimestre", "Début": nil, "Échéance": nil}, startAndDue, [2]ptacycle.Date{date(time.April, 1), date(time.June, 30)}},
		{"QuarterQ", map[string]any{"Trimestre": "Q3", "Début": nil, "Échéance": nil}, startAndDue, [2]ptacycle.Date{date(time.July, 1), date(time.September, 30)}},
		{"QuarterKeepsStart", map[string]any{"Trimestre": "t4", "Début": "15/11/2024", "Échéance": nil}, startAndDue, [2]ptacycle.Date{date(time.November, 15), date(time.December, 31)}},
		{"QuarterMatchingDue", map[string]any{"Trimestre": "T1", "Échéance": "31/03/2024"}, startAndDue, [2]ptacycle.Date{date(time.January, 15), date(time.March, 31)}},
		{"IllustrativeOui", map[string]any{"Illustratif": "Oui"}, illustrative, true},
		{"IllustrativeX", map[string]any{"Illustratif": "x"}, illustrative, true},
		{"IllustrativeOne", map[string]any{"Illustratif": 1}, illustrative, true},
		{"IllustrativeBoolean", map[string]any{"Illustratif": true}, illustrative, true},
		{"IllustrativeNon", map[string]any{"Illustratif": "NON"}, illustrative, false},
		{"IllustrativeEmpty", map[string]any{"Illustratif": nil}, illustrative, false},
		{"TextTrimmed", map[string]any{"Activité": "  Former les acteurs\n", "Code activité": " A1.1 "}, func(a ptacycle.ImportedActivity) any {
			return a.Code + "|" + a.Title
		}, "A1.1|Former les acteurs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := MustParse(t, MustWorkbook(t, templateHeader, [][]any{MustRow(t, tt.set)}), ref)
			var got any
			if tt.check == nil {
				got = *in.Actions[0].AxisID
			} else {
				got = tt.check(in.Activities[0])
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("read %v, want %v", got, tt.want)
			}
		})
	}
}

func due(a ptacycle.ImportedActivity) any          { return a.DueDate }
func budget(a ptacycle.ImportedActivity) any       { return a.BudgetXOF }
func partners(a ptacycle.ImportedActivity) any     { return a.PartnerUnitIDs }
func regions(a ptacycle.ImportedActivity) any      { return a.RegionIDs }
func illustrative(a ptacycle.ImportedActivity) any { return a.Illustrative }
func startAndDue(a ptacycle.ImportedActivity) any {
	return [2]ptacycle.Date{a.StartDate, a.DueDate}
}
func responsible(a ptacycle.ImportedActivity) any {
	if a.ResponsibleUnitID == nil {
		return nil
	}
	return *a.ResponsibleUnitID
}

func TestParseLayoutVariants(t *testing.T) {
	ref := MustReference(t)
	row := []any{"Note libre", "A1.1", "30/06/2024", "Former les acteurs", "A1", "Renforcer la coordination", 1500000}

	tests := []struct {
		name   string
		header []string
		edits  []func(*excelize.File) error
	}{
		{"HeadersInAnyOrderCaseAndAccents", []string{"Commentaire", "CODE ACTIVITE", "echeance", "activité", "  code   action ", "ACTION", "budget"}, nil},
		{"HeaderAliases", []string{"Remarque", "Code de l'activité", "Date d'échéance", "Intitulé de l'activité", "Code de l’action", "Intitulé de l'action", "Budget (XOF)"}, nil},
		{"SheetNamedPtaInLowercase", []string{"Notes", "Code activité", "Échéance", "Activité", "Code action", "Action", "Budget (FCFA)"},
			[]func(*excelize.File) error{func(f *excelize.File) error {
				if _, err := f.NewSheet("Lisez-moi"); err != nil {
					return err
				}
				if err := f.MoveSheet("Lisez-moi", "PTA"); err != nil {
					return err
				}
				return f.SetSheetName("PTA", "pta")
			}}},
		{"FirstSheetWhenNoneIsNamedPta", []string{"Notes", "Code activité", "Échéance", "Activité", "Code action", "Action", "Budget (FCFA)"},
			[]func(*excelize.File) error{func(f *excelize.File) error {
				if err := f.SetSheetName("PTA", "Feuil1"); err != nil {
					return err
				}
				_, err := f.NewSheet("Autre")
				return err
			}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := MustParse(t, MustWorkbook(t, tt.header, [][]any{row}, tt.edits...), ref)
			a := in.Activities[0]
			if a.Code != "A1.1" || a.Title != "Former les acteurs" || a.DueDate != date(time.June, 30) || a.BudgetXOF != 1_500_000 || a.ActionCode != "A1" {
				t.Errorf("read %+v", a)
			}
			if len(in.Actions) != 1 || in.Actions[0].Title != "Renforcer la coordination" || in.Actions[0].AxisID != nil {
				t.Errorf("actions %+v", in.Actions)
			}
		})
	}

	t.Run("EmptyRowsSkipped", func(t *testing.T) {
		rows := [][]any{MustRow(t, nil), make([]any, len(templateHeader)), {"", " ", nil, "\u00a0"}, MustRow(t, map[string]any{"Code activité": "A1.2"})}
		in := MustParse(t, MustWorkbook(t, templateHeader, rows), ref)
		if len(in.Activities) != 2 || in.Activities[1].Code != "A1.2" {
			t.Errorf("activities %+v", in.Activities)
		}
	})

	t.Run("ActionsOnceInFirstAppearanceOrder", func(t *testing.T) {
		rows := [][]any{
			MustRow(t, map[string]any{"Code action": "B1", "Action": "Deuxième", "Axe": "2", "Code activité": "B1.1"}),
			MustRow(t, map[string]any{"Code activité": "A1.1"}),
			MustRow(t, map[string]any{"Code action": "B1", "Action": "DEUXIÈME", "Axe": "Axe 2", "Code activité": "B1.2"}),
			MustRow(t, map[string]any{"Code action": "C1", "Action": "Sans axe", "Axe": nil, "Code activité": "C1.1"}),
		}
		in := MustParse(t, MustWorkbook(t, templateHeader, rows), ref)
		want := []ptacycle.Action{
			{AxisID: id(2), Code: "B1", Title: "Deuxième", Position: 1},
			{AxisID: id(1), Code: "A1", Title: "Renforcer la coordination", Position: 2},
			{Code: "C1", Title: "Sans axe", Position: 3},
		}
		if !reflect.DeepEqual(in.Actions, want) {
			t.Errorf("actions = %+v, want %+v", in.Actions, want)
		}
		var codes []string
		for _, a := range in.Activities {
			codes = append(codes, a.ActionCode+">"+a.Code)
		}
		if got := strings.Join(codes, " "); got != "B1>B1.1 A1>A1.1 B1>B1.2 C1>C1.1" {
			t.Errorf("activities = %s", got)
		}
	})

	t.Run("DraftStatus", func(t *testing.T) {
		in := MustParse(t, MustWorkbook(t, templateHeader, [][]any{MustRow(t, nil)}), ref)
		if a := in.Activities[0]; a.Status != ptacycle.StatusNotStarted || a.Progress != 0 || a.Validate() != nil {
			t.Errorf("activity %+v", a)
		}
	})
}

// problem is an expected problem: its cell and French message.
type problem struct{ field, message string }

func TestParseProblems(t *testing.T) {
	ref := MustReference(t)
	ref.ExistingActivityCodes = []string{"Z9.9"}
	one := func(set map[string]any) [][]any { return [][]any{MustRow(t, set)} }
	long := strings.Repeat("é", 301)
	tests := []struct {
		name   string
		header []string
		rows   [][]any
		edits  []func(*excelize.File) error
		want   []problem
	}{
		{"ErrBadDate", nil, one(map[string]any{"Échéance": "31/02/2024"}), nil,
			[]problem{{"PTA!J2", "Ligne 2, colonne Échéance : date 31/02/2024 invalide"}}},
		{"ErrUnreadableDate", nil, one(map[string]any{"Début": "mi-mars"}), nil,
			[]problem{{"PTA!I2", "Ligne 2, colonne Début : date « mi-mars » illisible : écrivez-la jj/mm/aaaa"}}},
		{"ErrDateOutOfYears", nil, one(map[string]any{"Début": 2024}), nil,
			[]problem{{"PTA!I2", "Ligne 2, colonne Début : date 16/07/1905 invalide"}}},
		{"ErrUnknownUnit", nil, one(map[string]any{"Structure responsable": "DGX"}), nil,
			[]problem{{"PTA!F2", "Ligne 2, colonne Structure responsable : structure « DGX » inconnue"}}},
		{"ErrUnknownPartners", nil, one(map[string]any{"Partenaires": "DPE; PNUD; Unicef"}), nil,
			[]problem{{"PTA!G2", "Ligne 2, colonne Partenaires : structure « PNUD » inconnue"}, {"PTA!G2", "Ligne 2, colonne Partenaires : structure « Unicef » inconnue"}}},
		{"ErrUnknownRegion", nil, one(map[string]any{"Régions": "Nord, Atlantis"}), nil,
			[]problem{{"PTA!H2", "Ligne 2, colonne Régions : région « Atlantis » inconnue"}}},
		{"ErrUnknownAxis", nil, one(map[string]any{"Axe": "Axe 9"}), nil,
			[]problem{{"PTA!A2", "Ligne 2, colonne Axe : axe « Axe 9 » inconnu"}}},
		{"ErrNegativeBudgetText", nil, one(map[string]any{"Budget (FCFA)": "-5 000"}), nil,
			[]problem{{"PTA!L2", "Ligne 2, colonne Budget (FCFA) : budget négatif (-5 000)"}}},
		{"ErrNegativeBudgetNumber", nil, one(map[string]any{"Budget (FCFA)": -5000}), nil,
			[]problem{{"PTA!L2", "Ligne 2, colonne Budget (FCFA) : budget négatif (-5000)"}}},
		{"ErrDecimalBudgetNumber", nil, one(map[string]any{"Budget (FCFA)": 2500.5}), nil,
			[]problem{{"PTA!L2", "Ligne 2, colonne Budget (FCFA) : montant 2500.5 : les FCFA n'ont pas de décimales"}}},
		{"ErrDecimalBudgetText", nil, one(map[string]any{"Budget (FCFA)": "2 500,50"}), nil,
			[]problem{{"PTA!L2", "Ligne 2, colonne Budget (FCFA) : montant 2 500,50 : les FCFA n'ont pas de décimales"}}},
		{"ErrUnreadableBudget", nil, one(map[string]any{"Budget (FCFA)": "2,5 millions"}), nil,
			[]problem{{"PTA!L2", "Ligne 2, colonne Budget (FCFA) : budget « 2,5 millions » illisible : écrivez un nombre entier de FCFA"}}},
		{"ErrMissingRequiredColumn", slices.DeleteFunc(slices.Clone(templateHeader), func(h string) bool { return h == "Code activité" }), nil, nil,
			[]problem{{"PTA", "Colonne obligatoire « Code activité » absente de la feuille PTA"}}},
		{"ErrMissingRequiredColumns", []string{"Axe", "Activité", "Notes"}, one(nil), nil,
			[]problem{{"PTA", "Colonne obligatoire « Code action » absente de la feuille PTA"}, {"PTA", "Colonne obligatoire « Action » absente de la feuille PTA"},
				{"PTA", "Colonne obligatoire « Code activité » absente de la feuille PTA"}}},
		{"ErrDuplicateColumn", append(slices.Clone(templateHeader), "Echéance"), one(nil), nil,
			[]problem{{"PTA", "Colonne « Échéance » en double (colonnes J et R)"}}},
		{"ErrMissingRequiredCell", nil, one(map[string]any{"Activité": " "}), nil,
			[]problem{{"PTA!E2", "Ligne 2, colonne Activité : cellule obligatoire vide"}}},
		{"ErrMissingActionCells", nil, one(map[string]any{"Code action": nil, "Action": nil}), nil,
			[]problem{{"PTA!B2", "Ligne 2, colonne Code action : cellule obligatoire vide"}, {"PTA!C2", "Ligne 2, colonne Action : cellule obligatoire vide"}}},
		{"ErrDuplicateActivityCode", nil, [][]any{MustRow(t, nil), MustRow(t, map[string]any{"Activité": "Autre"}), MustRow(t, map[string]any{"Code activité": "a1.1"})}, nil,
			[]problem{{"PTA!D3", "Ligne 3, colonne Code activité : code A1.1 en double : déjà utilisé ligne 2"},
				{"PTA!D4", "Ligne 4, colonne Code activité : code a1.1 en double : déjà utilisé ligne 2"}}},
		{"ErrActivityCodeInPlan", nil, one(map[string]any{"Code activité": "Z9.9"}), nil,
			[]problem{{"PTA!D2", "Ligne 2, colonne Code activité : code Z9.9 déjà présent dans le plan"}}},
		{"ErrActionTitleConflict", nil, [][]any{MustRow(t, nil), MustRow(t, map[string]any{"Code activité": "A1.2", "Action": "Autre intitulé"})}, nil,
			[]problem{{"PTA!C3", "Ligne 3, colonne Action : l'action A1 porte déjà un autre intitulé ligne 2"}}},
		{"ErrActionAxisConflict", nil, [][]any{MustRow(t, nil), MustRow(t, map[string]any{"Code activité": "A1.2", "Axe": "2"})}, nil,
			[]problem{{"PTA!A3", "Ligne 3, colonne Axe : l'action A1 a l'axe « 1 » ligne 2"}}},
		{"ErrActionAxisMissing", nil, [][]any{MustRow(t, map[string]any{"Axe": nil}), MustRow(t, map[string]any{"Code activité": "A1.2"})}, nil,
			[]problem{{"PTA!A3", "Ligne 3, colonne Axe : l'action A1 a l'axe « aucun » ligne 2"}}},
		{"ErrEmptySheet", nil, nil, nil, []problem{{"PTA", "La feuille PTA ne contient aucune activité"}}},
		{"ErrBlankSheet", []string{}, nil, nil, []problem{{"PTA", "La feuille PTA ne contient aucune activité"}}},
		{"ErrFormula", nil, one(map[string]any{"Budget (FCFA)": formula("1000*2500")}), nil,
			[]problem{{"PTA!L2", "Ligne 2, colonne Budget (FCFA) : formule non acceptée, collez la valeur"}}},
		{"ErrFormulaInRequiredCell", nil, one(map[string]any{"Activité": formula(`"Former"&" les acteurs"`)}), nil,
			[]problem{{"PTA!E2", "Ligne 2, colonne Activité : formule non acceptée, collez la valeur"}}},
		{"ErrMergedCells", nil, [][]any{MustRow(t, nil), MustRow(t, map[string]any{"Code action": "A2", "Code activité": "A2.1", "Axe": nil})},
			[]func(*excelize.File) error{func(f *excelize.File) error { return f.MergeCell("PTA", "A2", "A3") }},
			[]problem{{"PTA!A2:A3", "Cellules fusionnées A2:A3 : défusionnez-les et répétez la valeur"}}},
		{"MergedCellsNotReadIgnored", append(slices.Clone(templateHeader), "Notes"), [][]any{MustRow(t, nil), MustRow(t, map[string]any{"Code activité": "A1.2"})},
			[]func(*excelize.File) error{
				func(f *excelize.File) error { return f.MergeCell("PTA", "R2", "S3") }, // outside the columns read
				func(f *excelize.File) error { return f.MergeCell("PTA", "A5", "B9") }, // below the last activity
			}, nil},
		{"ErrMergedHeader", nil, one(nil),
			[]func(*excelize.File) error{func(f *excelize.File) error { return f.MergeCell("PTA", "P1", "Q1") }},
			[]problem{{"PTA!P1:Q1", "Cellules fusionnées P1:Q1 : défusionnez-les et répétez la valeur"}}},
		{"ErrBadQuarter", nil, one(map[string]any{"Trimestre": "T5"}), nil,
			[]problem{{"PTA!K2", "Ligne 2, colonne Trimestre : trimestre « T5 » inconnu (T1 à T4)"}}},
		{"ErrQuarterNotDue", nil, one(map[string]any{"Trimestre": "T1"}), nil,
			[]problem{{"PTA!K2", "Ligne 2, colonne Trimestre : l'échéance 30/06/2024 n'est pas dans le trimestre T1 2024"}}},
		{"ErrDueBeforeStart", nil, one(map[string]any{"Début": "15/01/2024", "Échéance": "01/01/2024"}), nil,
			[]problem{{"PTA!J2", "Ligne 2, colonne Échéance : l'échéance (01/01/2024) précède la date de début (15/01/2024)"}}},
		{"ErrTitleTooLong", nil, one(map[string]any{"Activité": long}), nil,
			[]problem{{"PTA!E2", "Ligne 2, colonne Activité : intitulé de l'activité : 300 caractères au plus (301 saisis)"}}},
		{"ErrActionCodeTooLong", nil, one(map[string]any{"Code action": strings.Repeat("A", 31)}), nil,
			[]problem{{"PTA!B2", "Ligne 2, colonne Code action : code de l'action : 30 caractères au plus (31 saisis)"}}},
		{"ErrIllustrative", nil, one(map[string]any{"Illustratif": "peut-être"}), nil,
			[]problem{{"PTA!Q2", "Ligne 2, colonne Illustratif : valeur « peut-être » non reconnue : écrivez oui ou non"}}},
		{"ErrSeveralInRowThenColumnOrder", nil, [][]any{
			MustRow(t, map[string]any{"Illustratif": "?", "Axe": "9"}),
			MustRow(t, map[string]any{"Code activité": "A1.2", "Régions": "Mars", "Structure responsable": "X"}),
		}, nil, []problem{
			{"PTA!A2", "Ligne 2, colonne Axe : axe « 9 » inconnu"},
			{"PTA!Q2", "Ligne 2, colonne Illustratif : valeur « ? » non reconnue : écrivez oui ou non"},
			{"PTA!F3", "Ligne 3, colonne Structure responsable : structure « X » inconnue"},
			{"PTA!H3", "Ligne 3, colonne Régions : région « Mars » inconnue"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			header := tt.header
			if header == nil {
				header = templateHeader
			}
			data := MustWorkbook(t, header, tt.rows, tt.edits...)
			if len(tt.want) == 0 {
				MustParse(t, data, ref)
				return
			}
			e := MustFail(t, data, ref, ptacycle.EINVALID)
			var got []problem
			for _, f := range e.Fields {
				got = append(got, problem{f.Field, f.Message})
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("problems =\n%s\nwant\n%v", problemList(e), tt.want)
			}
			errors := "erreurs"
			if len(tt.want) == 1 {
				errors = "erreur"
			}
			if want := fmt.Sprintf("Le fichier contient %d %s ; rien n'a été importé. %s", len(tt.want), errors, tt.want[0].message); e.Message != want {
				t.Errorf("Message = %q, want %q", e.Message, want)
			}
		})
	}

	t.Run("English", func(t *testing.T) {
		e := MustFail(t, MustWorkbook(t, templateHeader, [][]any{MustRow(t, map[string]any{"Échéance": "31/02/2024"})}), ref, ptacycle.EINVALID)
		if want := "Row 2, column Échéance: invalid date 31/02/2024"; e.Fields[0].English != want {
			t.Errorf("English = %q, want %q", e.Fields[0].English, want)
		}
		if want := "The file has 1 error; nothing was imported. Row 2, column Échéance: invalid date 31/02/2024"; e.English != want {
			t.Errorf("English = %q, want %q", e.English, want)
		}
	})

	t.Run("ErrManyProblemsCapped", func(t *testing.T) {
		var rows [][]any
		for i := range 250 {
			rows = append(rows, MustRow(t, map[string]any{"Code activité": fmt.Sprintf("A1.%d", i), "Structure responsable": "Inconnue"}))
		}
		e := MustFail(t, MustWorkbook(t, templateHeader, rows), ref, ptacycle.EINVALID)
		if len(e.Fields) != 201 {
			t.Fatalf("%d problems listed, want 200 and a count", len(e.Fields))
		}
		if e.Fields[199].Field != "PTA!F201" || e.Fields[200].Message != "… et 50 autres erreurs" || e.Fields[200].English != "… and 50 more errors" {
			t.Errorf("last problems = %+v", e.Fields[199:])
		}
		if !strings.HasPrefix(e.Message, "Le fichier contient 250 erreurs ; rien n'a été importé. Ligne 2, colonne Structure responsable") {
			t.Errorf("Message = %q", e.Message)
		}
	})
}

func TestParseUnreadableFiles(t *testing.T) {
	ref := MustReference(t)
	notWorkbook := "Ce fichier n'est pas un classeur Excel (.xlsx) : enregistrez-le au format .xlsx puis réessayez"
	zipOf := func(name, content string) []byte {
		var buf bytes.Buffer
		w := zip.NewWriter(&buf)
		f, err := w.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write([]byte(content)); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	random := make([]byte, 4096)
	for i := range random {
		random[i] = byte(rand.N(256))
	}
	workbook := MustWorkbook(t, templateHeader, [][]any{MustRow(t, nil)})
	tests := []struct {
		name string
		data []byte
	}{
		{"ErrRandomBytes", random},
		{"ErrCSV", []byte("Axe;Code action;Action;Code activité;Activité\n1;A1;Renforcer;A1.1;Former\n")},
		{"ErrEmpty", nil},
		{"ErrXLS", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, random...)},
		{"ErrZipWithoutWorkbook", zipOf("content.xml", "<office:document/>")},
		{"ErrTruncatedWorkbook", workbook[:len(workbook)/2]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := MustFail(t, tt.data, ref, ptacycle.EINVALID)
			if e.Message != notWorkbook || len(e.Fields) != 1 || e.Fields[0].Message != notWorkbook || e.Fields[0].Field != "" {
				t.Errorf("error = %+v", e)
			}
		})
	}

	t.Run("ErrFileTooLarge", func(t *testing.T) {
		e := MustFail(t, bytes.Repeat([]byte{'x'}, xlsx.MaxFileSize+1), ref, ptacycle.ETOOLARGE)
		if want := "Le fichier dépasse la taille maximale de 5 Mo : allégez-le ou découpez-le"; e.Message != want {
			t.Errorf("Message = %q, want %q", e.Message, want)
		}
	})

	t.Run("ErrTooManyRows", func(t *testing.T) {
		data := MustWorkbook(t, []string{"Code action", "Action", "Code activité", "Activité"}, nil, func(f *excelize.File) error {
			for i := range xlsx.MaxRows + 1 {
				cell, _ := excelize.CoordinatesToCellName(1, i+2)
				if err := f.SetSheetRow("PTA", cell, &[]any{"A1", "Action", fmt.Sprintf("A1.%d", i), "Activité"}); err != nil {
					return err
				}
			}
			return nil
		})
		e := MustFail(t, data, ref, ptacycle.ETOOLARGE)
		if want := "La feuille PTA compte plus de 5000 activités : découpez-la en plusieurs fichiers"; e.Message != want {
			t.Errorf("Message = %q, want %q", e.Message, want)
		}
	})

	t.Run("MaxRowsAccepted", func(t *testing.T) {
		data := MustWorkbook(t, []string{"Code action", "Action", "Code activité", "Activité"}, nil, func(f *excelize.File) error {
			for i := range xlsx.MaxRows {
				cell, _ := excelize.CoordinatesToCellName(1, i+2)
				if err := f.SetSheetRow("PTA", cell, &[]any{"A1", "Action", fmt.Sprintf("A1.%d", i), "Activité"}); err != nil {
					return err
				}
			}
			return nil
		})
		if in := MustParse(t, data, ref); len(in.Activities) != xlsx.MaxRows {
			t.Errorf("%d activities, want %d", len(in.Activities), xlsx.MaxRows)
		}
	})

	t.Run("ErrHostileSheet", func(t *testing.T) {
		// 100,000 rows whose one cell sits in the last column, as many merged ranges, a cell in the last row:
		// a 1 MB file that readers padding rows and sheets turn into gigabytes.
		var sheet strings.Builder
		sheet.WriteString(`<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Code action</t></is></c><c r="B1" t="inlineStr"><is><t>Action</t></is></c>` +
			`<c r="C1" t="inlineStr"><is><t>Code activité</t></is></c><c r="D1" t="inlineStr"><is><t>Activité</t></is></c></row>`)
		for i := 2; i < 100_000; i++ {
			fmt.Fprintf(&sheet, `<row r="%d"><c r="XFD%d"><f>1</f><v>1</v></c></row>`, i*10, i*10)
		}
		sheet.WriteString(`<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData><mergeCells>`)
		for i := 2; i < 100_000; i++ {
			fmt.Fprintf(&sheet, `<mergeCell ref="A%d:B%d"/>`, i, i)
		}
		sheet.WriteString(`</mergeCells></worksheet>`)
		data := MustReplacePart(t, workbook, "xl/worksheets/sheet1.xml", []byte(sheet.String()))
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		e := MustFail(t, data, ref, ptacycle.EINVALID)
		runtime.ReadMemStats(&after)
		if e.Fields[0].Message != "La feuille PTA ne contient aucune activité" {
			t.Errorf("problems = %+v", e.Fields)
		}
		if allocated := (after.TotalAlloc - before.TotalAlloc) >> 20; allocated > 500 {
			t.Errorf("reading a %d kB file allocated %d MB", len(data)>>10, allocated)
		}
	})

	t.Run("ErrZipBomb", func(t *testing.T) {
		e := MustFail(t, zipOf("xl/worksheets/sheet1.xml", strings.Repeat(" ", 60<<20)), ref, ptacycle.ETOOLARGE)
		if want := "Le classeur décompressé dépasse 50 Mo : retirez-en les images et les feuilles inutiles"; e.Message != want {
			t.Errorf("Message = %q, want %q", e.Message, want)
		}
	})
}

func TestSummarize(t *testing.T) {
	ref := MustReference(t)
	actions, activities := MustPlan(t)
	got := xlsx.Summarize(MustImportOf(t, actions, activities), ref)
	want := []xlsx.AxisCount{
		{AxisCode: "1", AxisTitle: "Gouvernance et coordination", Actions: 2, Activities: 5},
		{AxisCode: "2", AxisTitle: "Accès aux services", Actions: 1, Activities: 3},
		{AxisCode: "A3", AxisTitle: "Suivi et évaluation", Actions: 1, Activities: 2},
		{AxisTitle: "Sans axe", Actions: 1, Activities: 2},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Summarize = %+v, want %+v", got, want)
	}
	if got := xlsx.Summarize(ptacycle.PlanImport{}, ref); len(got) != 0 {
		t.Errorf("Summarize of nothing = %+v", got)
	}
}

// TestParseAxisNumberAmbiguous: "Axe 3" names A3 by its number, unless B3 has it too.
func TestParseAxisNumberAmbiguous(t *testing.T) {
	ref := MustReference(t)
	ref.Axes = append(ref.Axes, ptacycle.Axis{ID: 4, Code: "B3", Title: "Coopération", Position: 4})
	_, err := xlsx.Parse(bytes.NewReader(MustWorkbook(t, templateHeader, [][]any{MustRow(t, map[string]any{"Axe": "Axe 3"})})), ref)
	if problems := problemList(err); !strings.Contains(problems, "axe « Axe 3 » ambigu") {
		t.Errorf("Axe 3 with axes A3 and B3: %v\n%s", err, problems)
	}
}
