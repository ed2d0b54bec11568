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
		if got := FormatFileSize(c.n, "fr"); got != c.french {
			t.Errorf("FormatFileSize(%d, fr) = %q, want %q", c.n, got, c.french)
		}
		if got := FormatFileSize(c.n, "en"); got != c.en {
			t.Errorf("FormatFileSize(%d, en) = %q, want %q", c.n, got, c.en)
		}
	}
}

// TestWithLinks: a reminder's text keeps its addresses clickable, the rest escaped.
func TestWithLinks(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Mettre à jour : https://pta.example/r/abc_1-2.", `Mettre à jour : <a href="https://pta.example/r/abc_1-2" rel="noopener noreferrer">https://pta.example/r/abc_1-2</a>.`},
		{"(voir http://a.example/x?y=1&z=2)", `(voir <a href="http://a.example/x?y=1&amp;z=2" rel="noopener noreferrer">http://a.example/x?y=1&amp;z=2</a>)`},
		{"<b>pas de lien</b> javascript:alert(1)", `&lt;b&gt;pas de lien&lt;/b&gt; javascript:alert(1)`},
		{`https://a.example/"><script>`, `<a href="https://a.example/" rel="noopener noreferrer">https://a.example/</a>&#34;&gt;&lt;script&gt;`},
	} {
		if got := string(withLinks(c.in)); got != c.want {
			t.Errorf("withLinks(%q)\n got %s\nwant %s", c.in, got, c.want)
		}
	}
}
