package ui

import "testing"

func TestFormatFileSize(t *testing.T) {
	for _, c := range []struct {
		n          int
		french, en string
	}{
		{850, "850\u00a0octets", "850\u00a0B"},
		{12_300, "13\u00a0Ko", "13\u00a0KB"},
		{2_400_000, "2,4\u00a0Mo", "2.4\u00a0MB"},
		{10 << 20, "10,5\u00a0Mo", "10.5\u00a0MB"},
	} {
		if got := formatFileSize(c.n, "fr"); got != c.french {
			t.Errorf("formatFileSize(%d, fr) = %q, want %q", c.n, got, c.french)
		}
		if got := formatFileSize(c.n, "en"); got != c.en {
			t.Errorf("formatFileSize(%d, en) = %q, want %q", c.n, got, c.en)
		}
	}
}
