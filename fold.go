package ptacycle

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// FoldName is how the names of units, regions, axes and codes are compared,
// by the import and by the forms alike: without case, accents, extra
// spaces, hyphens or typographic apostrophes, so that « San-Pédro » is
// « San Pedro » and « tonkpi » is « Tonkpi ».
func FoldName(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == '’' || r == 'ʼ' || r == '`':
			b.WriteRune('\'')
		case r == '-' || r == '‐' || r == '–' || r == '_':
			b.WriteRune(' ')
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}
