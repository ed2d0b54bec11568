package ptacycle_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ptacycle/ptacycle"
)

func TestDueDateWarnings(t *testing.T) {
	at := func(code string, m time.Month, d int) ptacycle.Activity {
		return ptacycle.Activity{Code: code, DueDate: ptacycle.NewDate(2024, m, d)}
	}
	holidays := []ptacycle.Holiday{{Day: ptacycle.NewDate(2024, time.August, 7), Name: "Fête nationale"}}
	got := ptacycle.DueDateWarnings([]ptacycle.Activity{
		at("3.1", time.June, 30),  // a Sunday
		at("1.1", time.June, 28),  // a Friday: nothing to say
		at("2.1", time.August, 7), // a Wednesday, national day
		at("4.1", time.June, 29),  // a Saturday
		{Code: "5.1"},             // no due date: CheckPlan's business
	}, holidays)
	var messages []string
	for _, f := range got {
		messages = append(messages, f.Field+": "+f.Message)
	}
	want := []string{
		"activities[2.1].dueDate: Activité 2.1 : l'échéance du 07/08/2024 tombe un jour férié (Fête nationale)",
		"activities[3.1].dueDate: Activité 3.1 : l'échéance du 30/06/2024 tombe un dimanche",
		"activities[4.1].dueDate: Activité 4.1 : l'échéance du 29/06/2024 tombe un samedi",
	}
	if strings.Join(messages, "\n") != strings.Join(want, "\n") {
		t.Errorf("DueDateWarnings =\n%s\nwant\n%s", strings.Join(messages, "\n"), strings.Join(want, "\n"))
	}
}
