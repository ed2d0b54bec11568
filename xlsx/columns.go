package xlsx

import (
	"strings"

	"github.com/ptacycle/ptacycle"
)

// column is one column of the PTA sheet, in the template's order.
type column int

const (
	colAxis column = iota
	colActionCode
	colActionTitle
	colActivityCode
	colActivityTitle
	colResponsible
	colPartners
	colRegions
	colStart
	colDue
	colQuarter
	colBudget
	colFunding
	colIndicator
	colTarget
	colDeliverable
	colIllustrative
	columnCount
)

// columnSpec is what the template says of a column and what the import accepts as its header.
type columnSpec struct {
	header   string
	aliases  []string // other headers people write for the same column
	required bool
	width    float64
	content  string // for the instructions sheet
	formats  string
}

var columns = [columnCount]columnSpec{
	colAxis: {header: "Axe", aliases: []string{"Axe stratégique"}, width: 10,
		content: "Axe stratégique dont relève l'action", formats: "Code ou intitulé d'un axe de la feuille Référentiels (« 1 », « Axe 1 » ou l'intitulé) ; vide : action sans axe"},
	colActionCode: {header: "Code action", aliases: []string{"Code de l'action"}, required: true, width: 12,
		content: "Code de l'action ; les lignes d'une même action répètent son code, son intitulé et son axe", formats: "Texte, 30 caractères au plus"},
	colActionTitle: {header: "Action", aliases: []string{"Intitulé de l'action"}, required: true, width: 40,
		content: "Intitulé de l'action", formats: "Texte, 300 caractères au plus"},
	colActivityCode: {header: "Code activité", aliases: []string{"Code de l'activité"}, required: true, width: 12,
		content: "Code de l'activité, unique dans le plan", formats: "Texte, 30 caractères au plus"},
	colActivityTitle: {header: "Activité", aliases: []string{"Intitulé de l'activité"}, required: true, width: 50,
		content: "Intitulé de l'activité", formats: "Texte, 300 caractères au plus"},
	colResponsible: {header: "Structure responsable", aliases: []string{"Responsable"}, width: 25,
		content: "Structure qui conduit l'activité", formats: "Nom ou sigle d'une structure de la feuille Référentiels"},
	colPartners: {header: "Partenaires", aliases: []string{"Structures partenaires"}, width: 25,
		content: "Structures associées", formats: "Noms ou sigles séparés par « ; », « , » ou un retour à la ligne"},
	colRegions: {header: "Régions", aliases: []string{"Région"}, width: 20,
		content: "Régions où l'activité a lieu ; vide : activité nationale", formats: "Noms de régions de la feuille Référentiels, séparés par « ; », « , » ou un retour à la ligne"},
	colStart: {header: "Début", aliases: []string{"Date de début"}, width: 12,
		content: "Date de début", formats: "Date Excel, ou texte jj/mm/aaaa, j/m/aaaa, jj-mm-aaaa ou aaaa-mm-jj"},
	colDue: {header: "Échéance", aliases: []string{"Date d'échéance"}, width: 12,
		content: "Date à laquelle l'activité doit être réalisée", formats: "Comme Début ; pas avant le début"},
	colQuarter: {header: "Trimestre", width: 10,
		content: "Trimestre de réalisation, si l'échéance n'est pas connue : l'échéance devient le dernier jour du trimestre et, s'il est vide, le début le premier", formats: "T1 à T4 (aussi « 1er trimestre », « Q2 »)"},
	colBudget: {header: "Budget (FCFA)", aliases: []string{"Budget", "Budget (XOF)"}, width: 15,
		content: "Coût prévu ; vide : 0", formats: "Nombre entier de FCFA, sans décimales (« 2 500 000 », « 2.500.000 », « 2500000 FCFA »)"},
	colFunding: {header: "Source de financement", aliases: []string{"Financement"}, width: 20,
		content: "Qui finance l'activité", formats: "Texte, 300 caractères au plus"},
	colIndicator: {header: "Indicateur", width: 30,
		content: "Indicateur de suivi", formats: "Texte, 2000 caractères au plus"},
	colTarget: {header: "Cible", width: 20,
		content: "Valeur visée de l'indicateur", formats: "Texte, 2000 caractères au plus"},
	colDeliverable: {header: "Livrable", width: 25,
		content: "Ce que l'activité produit", formats: "Texte, 2000 caractères au plus"},
	colIllustrative: {header: "Illustratif", width: 10,
		content: "Activité donnée à titre d'illustration", formats: "oui ou non (aussi x, 1, yes ; vide : non)"},
}

// letter is the column's letter in the template (A for Axe).
func (c column) letter() string { return columnName(int(c) + 1) }

// headerColumns maps each accepted header, as headerKey folds it, to its column.
var headerColumns = func() map[string]column {
	m := map[string]column{}
	for c, spec := range columns {
		for _, h := range append([]string{spec.header}, spec.aliases...) {
			m[headerKey(h)] = column(c)
		}
	}
	return m
}()

// headerKey is how headers are compared: as fold does, and without any space.
func headerKey(s string) string { return strings.ReplaceAll(fold(s), " ", "") }

// fold is how names typed in a sheet are compared with the organisation's (ptacycle.FoldName).
func fold(s string) string { return ptacycle.FoldName(s) }
