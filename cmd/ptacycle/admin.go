package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/demo"
	"github.com/ptacycle/ptacycle/server"
)

func runMigrate(ctx context.Context, _ []string, getenv func(string) string, stdout io.Writer) error {
	db, err := openDB(ctx, loadConfig(getenv))
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "Schéma à jour / schema up to date")
	return nil
}

// runDemo loads the demo into the configured PostgreSQL and Temporal; a
// worker (ptacycle worker, or the compose stack's) must be running.
func runDemo(ctx context.Context, _ []string, getenv func(string) string, stdout io.Writer) error {
	cfg := loadConfig(getenv)
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	logger := newLogger(io.Discard, cfg.LogLevel, cfg.LogFormat)
	tc, err := dialTemporal(ctx, cfg, logger, server.NewMetricsRegistry())
	if err != nil {
		return err
	}
	defer tc.Close()
	logins, err := demo.Load(ctx, db, tc)
	if err != nil {
		return err
	}
	printLogins(stdout, logins)
	return nil
}

func printLogins(w io.Writer, logins []demo.Login) {
	fmt.Fprintf(w, "Comptes de démonstration (mot de passe : %s) / demo accounts (password: %s):\n", demo.Password, demo.Password)
	for _, l := range logins {
		fmt.Fprintf(w, "  %-32s %s\n", l.Email, l.Role.Label().FR)
	}
}

// runUser is `user add` and `user reset`: the administrator's way in before any UI exists.
func runUser(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 || (args[0] != "add" && args[0] != "reset") {
		return errors.New("utilisation : ptacycle user add|reset [options] / usage: ptacycle user add|reset [options]")
	}
	fs := flag.NewFlagSet("user "+args[0], flag.ContinueOnError)
	fs.SetOutput(stdout)
	orgSlug := fs.String("org", "", "identifiant de l'organisation / organisation slug (user add)")
	email := fs.String("email", "", "adresse e-mail / e-mail address")
	name := fs.String("name", "", "nom complet / full name (user add)")
	role := fs.String("role", "", "coordinator | approver | owner | partner | admin (user add)")
	unit := fs.String("unit", "", "nom ou sigle de la structure / unit name or acronym (user add)")
	language := fs.String("lang", "fr", "fr | en (user add)")
	passwordStdin := fs.Bool("password-stdin", false, "lire le mot de passe sur l'entrée standard / read the password from stdin")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	password, generated, err := readPassword(stdin, *passwordStdin)
	if err != nil {
		return err
	}
	hash, err := ptacycle.HashPassword(password)
	if err != nil {
		return err
	}
	db, err := openDB(ctx, loadConfig(getenv))
	if err != nil {
		return err
	}
	defer db.Close()

	if args[0] == "reset" {
		u, _, err := db.UserByEmail(ctx, *email)
		if err != nil {
			return fmt.Errorf("aucun utilisateur %q / no user %q", *email, *email)
		}
		if err := db.SetPassword(ctx, ptacycle.Actor{OrganisationID: u.OrganisationID, Label: "ptacycle user reset"}, u.ID, hash); err != nil {
			return err
		}
	} else {
		org, err := db.OrganisationBySlug(ctx, *orgSlug)
		if err != nil {
			return fmt.Errorf("organisation %q introuvable (--org) / organisation %q not found", *orgSlug, *orgSlug)
		}
		actor := ptacycle.Actor{OrganisationID: org.ID, Label: "ptacycle user add"}
		u := ptacycle.User{Email: *email, FullName: *name, Role: ptacycle.Role(*role), Language: *language}
		if *unit != "" {
			units, err := db.Units(ctx, org.ID)
			if err != nil {
				return err
			}
			for _, candidate := range units {
				if strings.EqualFold(candidate.Name, *unit) || strings.EqualFold(candidate.Acronym, *unit) {
					u.UnitID = &candidate.ID
					break
				}
			}
			if u.UnitID == nil {
				return fmt.Errorf("structure %q introuvable (--unit) / unit %q not found", *unit, *unit)
			}
		}
		if _, err := db.CreateUser(ctx, actor, u, hash); err != nil {
			return withFields(err)
		}
	}
	if generated {
		fmt.Fprintf(stdout, "Mot de passe de %s / password: %s\n", *email, password)
	} else {
		fmt.Fprintf(stdout, "Mot de passe de %s enregistré / password saved\n", *email)
	}
	return nil
}

// withFields folds field errors into one line for the terminal.
func withFields(err error) error {
	var e *ptacycle.Error
	if !errors.As(err, &e) || len(e.Fields) < 2 {
		return err
	}
	fr, en := make([]string, len(e.Fields)), make([]string, len(e.Fields))
	for i, f := range e.Fields {
		fr[i], en[i] = f.Message, f.English
	}
	return &ptacycle.Error{Code: e.Code, Message: strings.Join(fr, " ; "), English: strings.Join(en, "; ")}
}

// readPassword reads one line from stdin, or generates a password to print.
func readPassword(stdin io.Reader, fromStdin bool) (string, bool, error) {
	if fromStdin {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", false, err
		}
		return strings.TrimRight(line, "\r\n"), false, nil
	}
	b := make([]byte, 10)
	if _, err := rand.Read(b); err != nil {
		return "", false, err
	}
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)), true, nil
}

// runHealthcheck asks the local server's /readyz; Docker uses it as the container's health check.
func runHealthcheck(ctx context.Context, getenv func(string) string) error {
	_, port, err := net.SplitHostPort(loadConfig(getenv).ListenAddr)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://127.0.0.1:"+port+"/readyz", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("pas prêt / not ready: %s", strings.TrimSpace(string(body)))
	}
	return nil
}

// runOrg is `org add`: an organisation (committee, ministry, NGO) to plan in.
func runOrg(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "add" {
		return errors.New("utilisation : ptacycle org add --slug … --name … / usage: ptacycle org add --slug … --name …")
	}
	fs := flag.NewFlagSet("org add", flag.ContinueOnError)
	fs.SetOutput(stdout)
	slug := fs.String("slug", "", "identifiant court, minuscules et tirets / short identifier (e.g. cnltp)")
	name := fs.String("name", "", "nom complet / full name")
	acronym := fs.String("acronym", "", "sigle / acronym")
	country := fs.String("country", "", "pays / country")
	timezone := fs.String("timezone", "Africa/Abidjan", "fuseau horaire / time zone")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	db, err := openDB(ctx, loadConfig(getenv))
	if err != nil {
		return err
	}
	defer db.Close()
	org, err := db.CreateOrganisation(ctx, ptacycle.Actor{Label: "ptacycle org add"},
		ptacycle.Organisation{Slug: *slug, Name: *name, Acronym: *acronym, Country: *country, Timezone: *timezone})
	if err != nil {
		return withFields(err)
	}
	fmt.Fprintf(stdout, "Organisation %s créée (identifiant %s) / created\n", org.Name, org.Slug)
	return nil
}
