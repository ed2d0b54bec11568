package server

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/ptacycle/ptacycle/app"
)

// HealthHandler serves /healthz (the process is up) and /readyz (every check
// passes, PostgreSQL and Temporal for the processes of ptacycle, see
// app.ReadinessChecks; 503 names the one that does not). The worker serves it too.
func HealthHandler(checks map[string]app.Check) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
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
