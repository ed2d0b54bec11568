package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/ptacycle/ptacycle/internal/bench"
)

// runBench measures the product against the goals of DESIGN.md, each figure
// next to its baseline, prints the table and writes it into BENCHMARKS.md.
// It starts everything it needs itself, like dev, in a temporary folder.
func runBench(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	defaults := bench.Defaults()
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	activities := fs.Int("activities", defaults.Activities, "activités du PTA mesuré / activities of the measured plan")
	readers := fs.Int("readers", defaults.Readers, "lecteurs simultanés du tableau de bord / concurrent dashboard readers")
	owners := fs.Int("owners", defaults.Owners, "responsables déclarant leur avancement en même temps / owners reporting progress concurrently")
	ownersFor := fs.Duration("duration", defaults.OwnersFor, "durée de la mesure des responsables / how long the owners report")
	readFor := fs.Duration("load", defaults.ReadFor, "durée de la mesure des lecteurs / how long the readers read")
	quick := fs.Bool("quick", false, "mesure de fumée, en quelques secondes ; n'écrit le fichier qu'avec -out / smoke run in seconds; writes the file only with -out")
	out := fs.String("out", "BENCHMARKS.md", "fichier où écrire les tableaux / file to write the tables into")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg := defaults
	if *quick {
		cfg = bench.Quick()
	}
	write := !*quick
	fs.Visit(func(f *flag.Flag) { // explicit flags win over -quick's sizes
		switch f.Name {
		case "activities":
			cfg.Activities = *activities
		case "readers":
			cfg.Readers = *readers
		case "owners":
			cfg.Owners = *owners
		case "duration":
			cfg.OwnersFor = *ownersFor
		case "load":
			cfg.ReadFor = *readFor
		case "out":
			write = true
		}
	})
	cfg.DatabaseURL = getenv("DATABASE_URL")
	cfg.Progress = stderr

	report, err := bench.Run(ctx, cfg)
	rows := report.Rows()
	fmt.Fprintln(stdout)
	if werr := bench.WriteTable(stdout, rows); werr != nil {
		return werr
	}
	if err != nil {
		return fmt.Errorf("mesure incomplète, %s non écrit / incomplete run, %s not written: %w", *out, *out, err)
	}
	if write {
		if err := report.WriteMarkdown(*out); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "\n%s écrit / written\n", *out)
	}
	if *quick { // smoke-sized figures say nothing about the goals
		return nil
	}
	var failed []string
	for _, r := range rows {
		if r.Verdict == bench.Fail {
			failed = append(failed, r.Scenario+": "+r.Measure)
		}
	}
	if len(failed) > 0 {
		return errors.New("objectifs non atteints / goals not met: " + strings.Join(failed, "; "))
	}
	return nil
}
