package server

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/ptacycle/ptacycle/postgres"
)

// HealthHandler serves /healthz (the process is up) and /readyz (PostgreSQL and
// Temporal both answer; 503 names the one that does not). The worker serves it too.
func HealthHandler(db *postgres.DB, tc client.Client) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		checks := map[string]func(context.Context) error{
			"postgres": db.Ping,
			"temporal": func(ctx context.Context) error {
				_, err := tc.CheckHealth(ctx, &client.CheckHealthRequest{})
				return err
			},
		}
		var mu sync.Mutex
		var wg sync.WaitGroup
		status, body := http.StatusOK, map[string]string{}
		for name, check := range checks {
			wg.Go(func() {
				err := check(ctx)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					status = http.StatusServiceUnavailable
					body[name] = "injoignable / unreachable: " + err.Error()
					return
				}
				body[name] = "ok"
			})
		}
		wg.Wait()
		writeJSON(w, status, body)
	})
	return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
