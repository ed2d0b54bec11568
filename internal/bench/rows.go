package bench

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// Verdict says whether a figure meets its goal.
type Verdict string

// Verdicts.
const (
	Pass    Verdict = "pass"
	Fail    Verdict = "FAIL"
	Info    Verdict = "—" // a figure without a goal of its own
	Skipped Verdict = "skipped"
	Error   Verdict = "error"
)

func verdict(ok bool) Verdict {
	if ok {
		return Pass
	}
	return Fail
}

// Row is one line of the table: a figure, its baseline, their ratio, the goal.
type Row struct {
	Scenario string
	Measure  string
	Figure   string
	Baseline string
	Ratio    string
	Goal     string
	Verdict  Verdict
}

func ratio(x float64) string { return strconv.FormatFloat(x, 'f', 2, 64) + "×" }

// kb renders a size in kilobytes (KiB).
func kb(n float64) string { return strconv.FormatFloat(n/1024, 'f', 1, 64) + " KB" }

// thousands renders n with thousands separators.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// resumed renders the time of an activity with the attempts that failed and were resumed.
func resumed(d time.Duration, retries int) string {
	if retries > 0 {
		return fmt.Sprintf("%s (%d attempt(s) resumed)", ms(d), retries)
	}
	return ms(d)
}

func seconds(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', 2, 64) + " s" }

// Rows are the report as a table, scenario by scenario, in the order they matter to DESIGN.md.
func (r *Report) Rows() []Row {
	var rows []Row
	add := func(scenario string, ok bool, build func() []Row) {
		switch {
		case ok:
			rows = append(rows, build()...)
		case r.Errors[scenario] != "":
			rows = append(rows, Row{Scenario: scenario, Measure: "did not run", Figure: r.Errors[scenario], Verdict: Error})
		}
	}
	add(ScenarioExecution, r.Execution != nil, func() []Row {
		e, c := r.Execution, r.Execution.Closing
		n := thousands(e.Activities)
		return []Row{
			{Scenario: ScenarioExecution, Measure: fmt.Sprintf("StartFollowUps: %s follow-ups, %d at a time", n, e.Concurrency),
				Figure: resumed(e.FollowUps, e.Retries), Baseline: fmt.Sprintf("%s bare starts: %s", n, ms(e.Bare)),
				Ratio: ratio(e.Ratio()), Goal: "≤ 1.3×", Verdict: verdict(e.Ratio() <= 1.3)},
			{Scenario: ScenarioExecution, Measure: fmt.Sprintf("StopFollowUps: %s follow-ups, %d at a time", n, e.Concurrency),
				Figure: resumed(e.Close.Stop, e.Close.Retries), Baseline: fmt.Sprintf("%s bare cancels: %s", n, ms(e.Close.BareCancels)),
				Ratio: ratio(e.Close.Ratio()), Goal: "≤ 1.3×", Verdict: verdict(e.Close.Ratio() <= 1.3)},
			{Scenario: ScenarioExecution, Measure: "follow-ups left running after StopFollowUps, the worker running them",
				Figure:   strconv.Itoa(c.LeftRunning),
				Baseline: fmt.Sprintf("%s started, %s ended cancelled", thousands(c.FollowUps), thousands(c.Cancelled)),
				Goal:     "0", Verdict: verdict(c.LeftRunning == 0)},
		}
	})
	add(ScenarioDashboard, r.Dashboard != nil, func() []Row {
		d := r.Dashboard
		raw := "one raw query: " + ms(d.Query)
		readers := fmt.Sprintf("%d readers", d.Readers)
		return []Row{
			{Scenario: ScenarioDashboard, Measure: fmt.Sprintf("GET after a change, %s activities (median)", thousands(d.Activities)),
				Figure: ms(d.Cold), Baseline: raw, Ratio: ratio(d.ColdRatio()), Goal: "≤ 1.5×", Verdict: verdict(d.ColdRatio() <= 1.5)},
			{Scenario: ScenarioDashboard, Measure: "GET again (median)",
				Figure: ms(d.Warm), Baseline: raw, Ratio: ratio(d.WarmRatio()), Goal: "≤ 1.5×", Verdict: verdict(d.WarmRatio() <= 1.5)},
			{Scenario: ScenarioDashboard, Measure: readers + ": p99",
				Figure: ms(d.P99), Baseline: "one reader: " + ms(d.Warm), Ratio: ratio(float64(d.P99) / float64(d.Warm)), Goal: "< 50 ms", Verdict: verdict(d.P99 < 50*time.Millisecond)},
			{Scenario: ScenarioDashboard, Measure: readers + ": p50", Figure: ms(d.P50), Baseline: "one reader: " + ms(d.Warm),
				Ratio: ratio(float64(d.P50) / float64(d.Warm)), Verdict: Info},
			{Scenario: ScenarioDashboard, Measure: readers + ": throughput", Figure: fmt.Sprintf("%.0f req/s", d.Throughput),
				Baseline: fmt.Sprintf("CPU: %s per request", ms(d.CPU.PerRequest)), Verdict: Info},
			{Scenario: ScenarioDashboard, Measure: readers + ": errors", Figure: strconv.Itoa(d.Errors),
				Baseline: thousands(d.Requests) + " answered", Goal: "0", Verdict: verdict(d.Errors == 0)},
		}
	})
	add(ScenarioOwners, r.Owners != nil, func() []Row {
		o := r.Owners
		owners := fmt.Sprintf("%d owners", o.Owners)
		return []Row{
			{Scenario: ScenarioOwners, Measure: owners + ": accepted reports/s", Figure: fmt.Sprintf("%.0f/s", o.Throughput),
				Baseline: fmt.Sprintf("raw pgx + signal: %.0f/s", o.Baseline.Throughput), Ratio: ratio(o.Ratio()), Goal: "≤ 2×",
				Verdict: verdict(o.Ratio() <= 2)},
			{Scenario: ScenarioOwners, Measure: owners + ": p50 · p99", Figure: ms(o.P50) + " · " + ms(o.P99),
				Baseline: "raw pgx + signal: " + ms(o.Baseline.P50) + " · " + ms(o.Baseline.P99), Verdict: Info},
			{Scenario: ScenarioOwners, Measure: owners + ": lost or stale updates", Figure: strconv.Itoa(o.Lost + o.Stale),
				Baseline: fmt.Sprintf("%s accepted, %s activities checked", thousands(o.Accepted), thousands(o.Checked)),
				Goal:     "0", Verdict: verdict(o.Lost+o.Stale == 0)},
			{Scenario: ScenarioOwners, Measure: owners + ": errors · 409", Figure: fmt.Sprintf("%d · %d", o.Errors, o.Conflicts),
				Baseline: fmt.Sprintf("raw pgx + signal: %d · %d", o.Baseline.Errors, o.Baseline.Conflicts), Goal: "0 · 0",
				Verdict: verdict(o.Errors == 0 && o.Conflicts == 0 && o.Unknown == 0)},
		}
	})
	add(ScenarioSimulation, r.Simulation != nil, func() []Row {
		sim := r.Simulation
		row := Row{Scenario: ScenarioSimulation, Measure: strings.Join(simulationTests, " + ") + " (82 activities)", Goal: "< 1 s"}
		if sim.Skipped != "" {
			row.Figure, row.Verdict = sim.Skipped, Skipped
		} else {
			row.Figure, row.Verdict = seconds(sim.Total()), verdict(len(sim.Failed) == 0 && sim.Total() < time.Second)
		}
		return []Row{row}
	})
	add(ScenarioHistory, r.History != nil, func() []Row {
		h := r.History
		eventsLimits := fmt.Sprintf("warning %s, limit %s", thousands(historyEventsWarning), thousands(historyEventsLimit))
		bytesLimits := fmt.Sprintf("warning %d MB, limit %d MB", historyBytesWarning>>20, historyBytesLimit>>20)
		return []Row{
			{Scenario: ScenarioHistory, Measure: fmt.Sprintf("cycle, %s follow-ups started: events", thousands(h.Activities)),
				Figure: thousands(h.CycleEvents), Baseline: eventsLimits,
				Ratio: ratio(float64(h.CycleEvents) / historyEventsWarning), Goal: "< " + thousands(historyEventsWarning), Verdict: verdict(h.CycleEvents < historyEventsWarning)},
			{Scenario: ScenarioHistory, Measure: "cycle: size", Figure: kb(float64(h.CycleBytes)), Baseline: bytesLimits,
				Ratio: ratio(float64(h.CycleBytes) / historyBytesWarning), Goal: "< 10 MB", Verdict: verdict(h.CycleBytes < historyBytesWarning)},
			{Scenario: ScenarioHistory, Measure: "follow-up waiting for its first reminder",
				Figure: fmt.Sprintf("%d events, %s", h.FollowUpEvents, kb(float64(h.FollowUpBytes))), Verdict: Info},
			{Scenario: ScenarioHistory, Measure: "follow-up: each reminder adds",
				Figure: fmt.Sprintf("%.1f events, %s", h.ReminderEvents, kb(h.ReminderBytes)), Baseline: fmt.Sprintf("measured over %d", h.Reminders), Verdict: Info},
			{Scenario: ScenarioHistory, Measure: fmt.Sprintf("follow-up after a year (%d reminders): events", remindersPerYear),
				Figure:   thousands(int(h.YearEvents())),
				Baseline: fmt.Sprintf("%s; continues as new past %s", eventsLimits, thousands(followUpContinueAsNew)),
				Ratio:    ratio(h.YearEvents() / historyEventsWarning), Goal: "< " + thousands(historyEventsWarning), Verdict: verdict(h.YearEvents() < historyEventsWarning)},
			{Scenario: ScenarioHistory, Measure: "follow-up after a year: size", Figure: kb(h.YearBytes()), Baseline: bytesLimits,
				Ratio: ratio(h.YearBytes() / historyBytesWarning), Goal: "< 10 MB", Verdict: verdict(h.YearBytes() < historyBytesWarning)},
		}
	})
	add(ScenarioPages, r.Pages != nil, func() []Row {
		var rows []Row
		for _, p := range r.Pages.Pages {
			rows = append(rows, Row{Scenario: ScenarioPages, Measure: p.Path + " (" + strings.TrimSuffix(p.As, "@cnltp.demo") + ")",
				Figure:   fmt.Sprintf("%s (first visit %s) · %s", kb(float64(p.Bytes)), kb(float64(p.FirstVisit())), ms(p.Median)),
				Baseline: "GET /healthz: " + ms(r.Pages.Healthz), Ratio: ratio(float64(p.Median) / float64(r.Pages.Healthz)),
				Goal: "≤ 100 KB", Verdict: verdict(p.FirstVisit() <= pageBudget)})
		}
		return rows
	})
	return rows
}

// WriteTable prints rows aligned for a terminal; an error is cut short there (the command prints it whole).
func WriteTable(w io.Writer, rows []Row) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "scenario\tmeasure\tfigure\tbaseline\tratio\tgoal\tresult")
	for _, r := range rows {
		figure := r.Figure
		if runes := []rune(figure); r.Verdict == Error && len(runes) > 60 {
			figure = string(runes[:60]) + "…"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Scenario, r.Measure, figure, r.Baseline, r.Ratio, r.Goal, r.Verdict)
	}
	return tw.Flush()
}
