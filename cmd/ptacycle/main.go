// Command ptacycle is the one binary of the product: `dev` runs everything on
// one machine; `server`, `worker` and `migrate` are the production commands.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/ptacycle/ptacycle"
)

const usage = `ptacycle — le cycle annuel de planification (bilan, recommandations, PTA, validation, exécution)

Utilisation / usage: ptacycle <commande> [options]

  dev          tout sur une machine : Temporal embarqué, PostgreSQL privé, worker, serveur, démo
               everything on one machine: embedded Temporal, private PostgreSQL, worker, server, demo
  server       le serveur HTTP (API et interface) / the HTTP server (API and UI)
  worker       le worker Temporal (workflows et activités) / the Temporal worker
  migrate      applique les migrations du schéma / applies the schema migrations
  demo         charge l'organisation de démonstration (CNLTP) / loads the demo organisation
  org add      crée une organisation / creates an organisation
  user add     crée un utilisateur / creates a user
  user reset   réinitialise un mot de passe / resets a password
  healthcheck  vérifie /readyz du serveur local (pour Docker) / checks the local server's /readyz
  bench        mesure les objectifs de DESIGN.md, écrit BENCHMARKS.md / measures DESIGN.md's goals, writes BENCHMARKS.md

Configuration par variables d'environnement : voir README.md / configured by environment variables: see README.md
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "ptacycle: "+oneLine(err))
		os.Exit(1)
	}
}

// oneLine renders err for a terminal: French, then English when the error has both.
func oneLine(err error) string {
	var e *ptacycle.Error
	if errors.As(err, &e) && e.English != "" && e.English != e.Message {
		return e.Message + " / " + e.English
	}
	return err.Error()
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stdout, usage)
		return errors.New("commande manquante / missing command")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "dev":
		return runDev(ctx, rest, getenv, stdout, stderr)
	case "server":
		return runServer(ctx, rest, getenv, stderr)
	case "worker":
		return runWorker(ctx, rest, getenv, stderr)
	case "migrate":
		return runMigrate(ctx, rest, getenv, stdout)
	case "demo":
		return runDemo(ctx, rest, getenv, stdout)
	case "org":
		return runOrg(ctx, rest, getenv, stdout)
	case "user":
		return runUser(ctx, rest, getenv, os.Stdin, stdout)
	case "healthcheck":
		return runHealthcheck(ctx, getenv)
	case "bench":
		return runBench(ctx, rest, getenv, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("commande inconnue %q / unknown command %q", cmd, cmd)
}
