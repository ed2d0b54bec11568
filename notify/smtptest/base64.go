package smtptest

import (
	"encoding/base64"
	"io"
	"strings"
)

// base64Reader decodes a base64 MIME part, whose lines are wrapped.
func base64Reader(r io.Reader) io.Reader {
	b, err := io.ReadAll(r)
	if err != nil {
		return strings.NewReader("")
	}
	clean := strings.NewReplacer("\r", "", "\n", "").Replace(string(b))
	return base64.NewDecoder(base64.StdEncoding, strings.NewReader(clean))
}
