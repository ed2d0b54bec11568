package server

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/ui"
)

// TestAuditText: the values of the audit log in words, whichever change wrote them.
func TestAuditText(t *testing.T) {
	t.Parallel()
	renderer, err := ui.New()
	if err != nil {
		t.Fatal(err)
	}
	names := map[ptacycle.AuditRef]ptacycle.AuditName{{Kind: "user", ID: 5}: {Name: "Awa Koné"}, {Kind: "unit", ID: 3}: {Name: "CRLTP Tonkpi"},
		{Kind: "activity", ID: 7}: {Code: "1.1.4", Name: "Former 50 acteurs"}}
	text := auditText{p: renderer.NewPage("fr", nil, ""), names: names}
	for _, c := range []struct {
		name, object string
		entry        ptacycle.AuditEntry
		want         []string
	}{
		{"UserUpdate", "Utilisateur Awa Koné", ptacycle.AuditEntry{Action: "update", Entity: "user", EntityID: "5",
			Before: json.RawMessage(`{"role":"approver","unitId":3,"active":true,"quietFrom":null}`), After: json.RawMessage(`{"role":"coordinator","active":false,"quietFrom":22}`)},
			[]string{"Actif : oui → non", "Pas d'e-mail à partir de : — → 22 h", "Rôle : Représentant du ministère (valideur) → Coordonnateur", "Structure : CRLTP Tonkpi → —"}},
		{"UsualDeadlines", "Organisation n° 1 (introuvable)", ptacycle.AuditEntry{Action: "deadlines", Entity: "organisation", EntityID: "1",
			Before: json.RawMessage(`{"bilan":"02-15"}`), After: json.RawMessage(`{"bilan":"03-01"}`)},
			[]string{"Bilan : 15 février → 1er mars"}},
		{"Deletion", "Activité 1.1.4 — Former 50 acteurs", ptacycle.AuditEntry{Action: "delete", Entity: "activity", EntityID: "7",
			Before: json.RawMessage(`{"budgetXof":2500000,"dueDate":"2024-06-30","ownerId":9,"partnerUnitIds":[3]}`)},
			[]string{"Budget : 2\u202f500\u202f000\u00a0FCFA", "Échéance : 30/06/2024", "Responsable : n° 9 (introuvable)", "Structures partenaires : CRLTP Tonkpi"}},
		{"Plan", "PTA n° 2 (introuvable)", ptacycle.AuditEntry{Action: "revise", Entity: "plan", EntityID: "2",
			Before: json.RawMessage(`{"status":"approved"}`), After: json.RawMessage(`{"status":"draft"}`)},
			[]string{"Statut : Approuvé → Projet en cours d'élaboration"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := text.object(c.entry); got != c.object {
				t.Errorf("object %q, want %q", got, c.object)
			}
			if got := text.changes(c.entry); !slices.Equal(got, c.want) {
				t.Errorf("changes\n%q\nwant\n%q", got, c.want)
			}
		})
	}
}
