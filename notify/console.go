package notify

import (
	"context"
	"fmt"
	"io"
	"sync"
)

// Console prints messages instead of sending them: `ptacycle dev` without SMTP_HOST.
type Console struct {
	mu sync.Mutex
	W  io.Writer
}

// Send prints m.
func (c *Console) Send(_ context.Context, m Message) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, err := fmt.Fprintf(c.W, "── e-mail à / to %s\nObjet / Subject: %s\n\n%s\n──\n", m.To, m.Subject, m.Text)
	return err
}
