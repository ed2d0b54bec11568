package ptacycle

import "context"

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
