package ptacycle

import (
	"context"
	"regexp"
)

type requestIDKey struct{}

// WithRequestID returns ctx carrying the id of the HTTP request being served,
// so that logs and audit entries can be tied to it.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID returns the request id carried by ctx, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// requestIDPattern is what a request id may hold: it reaches the logs, the
// audit log and Temporal, so nothing that could forge a log line or that
// PostgreSQL would refuse.
var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,64}$`)

// ValidRequestID reports whether id may serve as a request id (a client's X-Request-ID, a form's step id).
func ValidRequestID(id string) bool { return requestIDPattern.MatchString(id) }
