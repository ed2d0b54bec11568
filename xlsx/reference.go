package xlsx

import (
	"slices"
	"strings"

	"github.com/ptacycle/ptacycle"
)

// Reference is what the names in a file are matched against: the
// organisation's axes, units, regions, and the plan's year. It is the
// domain's type, which the store fills without knowing of this package.
type Reference = ptacycle.PlanReference

// nameIndex finds ids by folded name; a name shared by two ids is ambiguous.
type nameIndex map[string][]int64

func (n nameIndex) add(key string, id int64) {
	if key != "" && !slices.Contains(n[key], id) {
		n[key] = append(n[key], id)
	}
}

// directory finds the organisation's axes, units and regions by the names people type.
type directory struct {
	axisCodes, axisTitles   nameIndex
	axisNumbers             nameIndex // "5" for the axis coded A5: people write "Axe 5"
	unitNames, unitAcronyms nameIndex
	regionNames             nameIndex
}

func newDirectory(ref Reference) directory {
	d := directory{axisCodes: nameIndex{}, axisTitles: nameIndex{}, axisNumbers: nameIndex{}, unitNames: nameIndex{}, unitAcronyms: nameIndex{}, regionNames: nameIndex{}}
	for _, a := range ref.Axes {
		d.axisCodes.add(axisKey(a.Code), a.ID)
		d.axisTitles.add(fold(a.Title), a.ID)
		d.axisNumbers.add(axisNumber(a.Code), a.ID)
	}
	for _, u := range ref.Units {
		d.unitNames.add(fold(u.Name), u.ID)
		d.unitAcronyms.add(fold(u.Acronym), u.ID)
	}
	for _, r := range ref.Regions {
		d.regionNames.add(fold(r.Name), r.ID)
	}
	return d
}

// axisKey lets "Axe 1", "axe1" and "1" name the axis coded 1.
func axisKey(s string) string {
	key := fold(s)
	if rest, ok := strings.CutPrefix(key, "axe"); ok && rest != "" && (rest[0] == ' ' || rest[0] >= '0' && rest[0] <= '9') {
		return strings.TrimSpace(rest)
	}
	return key
}

// axisNumber is the number an axis is known by once its code's letters are
// dropped: "5" for "A5", "Axe 5", "AS-5" or "05"; "" when the code holds no
// number or more than letters and a number.
func axisNumber(s string) string {
	key := strings.TrimLeft(axisKey(s), "abcdefghijklmnopqrstuvwxyz -._")
	if key == "" || strings.Trim(key, "0123456789") != "" {
		return ""
	}
	if n := strings.TrimLeft(key, "0"); n != "" {
		return n
	}
	return "0"
}

// find looks name up in the indexes in turn; the first that knows it decides.
func find(indexes ...func() []int64) (id int64, known, ambiguous bool) {
	for _, ids := range indexes {
		switch found := ids(); len(found) {
		case 0:
		case 1:
			return found[0], true, false
		default:
			return 0, true, true
		}
	}
	return 0, false, false
}

func (d directory) axis(s string) (int64, error) {
	id, known, ambiguous := find(func() []int64 { return d.axisCodes[axisKey(s)] }, func() []int64 { return d.axisTitles[fold(s)] },
		func() []int64 { return d.axisNumbers[axisNumber(s)] })
	switch {
	case !known:
		return 0, ptacycle.Errorf(ptacycle.EINVALID, "axe « %s » inconnu", "unknown axis “%s”", s)
	case ambiguous:
		return 0, ptacycle.Errorf(ptacycle.EINVALID, "axe « %s » ambigu : plusieurs axes portent ce nom ou ce numéro, écrivez son code", "ambiguous axis “%s”: several axes have this name or number, write its code", s)
	}
	return id, nil
}

func (d directory) unit(s string) (int64, error) {
	id, known, ambiguous := find(func() []int64 { return d.unitNames[fold(s)] }, func() []int64 { return d.unitAcronyms[fold(s)] })
	switch {
	case !known:
		return 0, ptacycle.Errorf(ptacycle.EINVALID, "structure « %s » inconnue", "unknown unit “%s”", s)
	case ambiguous:
		return 0, ptacycle.Errorf(ptacycle.EINVALID, "structure « %s » ambiguë : plusieurs structures portent ce nom ou ce sigle, écrivez son nom complet",
			"ambiguous unit “%s”: several units have this name or acronym, write its full name", s)
	}
	return id, nil
}

func (d directory) isUnit(s string) bool { _, err := d.unit(s); return err == nil }

func (d directory) region(s string) (int64, error) {
	id, known, ambiguous := find(func() []int64 { return d.regionNames[fold(s)] })
	switch {
	case !known:
		return 0, ptacycle.Errorf(ptacycle.EINVALID, "région « %s » inconnue", "unknown region “%s”", s)
	case ambiguous:
		return 0, ptacycle.Errorf(ptacycle.EINVALID, "région « %s » ambiguë : plusieurs régions portent ce nom", "ambiguous region “%s”: several regions have this name", s)
	}
	return id, nil
}

func (d directory) isRegion(s string) bool { _, err := d.region(s); return err == nil }
