package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// SignatureHeader carries the HMAC-SHA256 of the body, "sha256=<hex>", keyed by the shared secret.
const SignatureHeader = "X-Ptacycle-Signature"

// Webhook posts messages as JSON to a gateway (SMS, WhatsApp…), signed so the
// gateway can check they come from ptacycle.
type Webhook struct {
	URL    string
	Secret []byte
	Client *http.Client
}

// webhookBody is what the gateway receives.
type webhookBody struct {
	Key     string `json:"key"`
	To      string `json:"to"`
	Name    string `json:"name"`
	Subject string `json:"subject"`
	Text    string `json:"text"`
}

// Sign returns the signature header value of body.
func Sign(secret, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Send posts m; a 4xx answer is permanent, a 5xx or a network error may be retried.
func (w *Webhook) Send(ctx context.Context, m Message) error {
	body, err := json.Marshal(webhookBody{Key: m.Key, To: m.To, Name: m.ToName, Subject: m.Subject, Text: m.Text})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return &Permanent{err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", m.Key)
	req.Header.Set(SignatureHeader, Sign(w.Secret, body))
	client := w.Client
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return nil
	case resp.StatusCode >= 400 && resp.StatusCode < 500 && resp.StatusCode != http.StatusTooManyRequests:
		return &Permanent{fmt.Errorf("passerelle : %s", resp.Status)}
	}
	return fmt.Errorf("passerelle : %s", resp.Status)
}
