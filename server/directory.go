package server

import (
	"strconv"

	"github.com/ptacycle/ptacycle"
	"github.com/ptacycle/ptacycle/app"
)

// execDirectory resolves an organisation's ids to the names people read;
// the lists keep the store's order (by name) for choices.
type execDirectory struct {
	people     map[int64]string
	units      map[int64]ptacycle.Unit
	regions    map[int64]string
	unitList   []ptacycle.Unit
	regionList []ptacycle.Region
}

// newExecDirectory indexes the layer's directory of a page.
func newExecDirectory(d app.Directory) execDirectory {
	dir := execDirectory{people: d.People, units: map[int64]ptacycle.Unit{}, regions: map[int64]string{}, unitList: d.Units, regionList: d.Regions}
	for _, u := range d.Units {
		dir.units[u.ID] = u
	}
	for _, r := range d.Regions {
		dir.regions[r.ID] = r.Name
	}
	return dir
}

// user is a user's name, "—" for none.
func (d execDirectory) user(id *int64) string {
	if id == nil {
		return "—"
	}
	if name, ok := d.people[*id]; ok {
		return name
	}
	return "#" + strconv.FormatInt(*id, 10)
}

// unit is a unit's name, "—" for none.
func (d execDirectory) unit(id *int64) string {
	if id == nil {
		return "—"
	}
	if u, ok := d.units[*id]; ok {
		return u.Name
	}
	return "#" + strconv.FormatInt(*id, 10)
}

func (d execDirectory) unitNames(ids []int64) []string {
	out := make([]string, len(ids))
	for i := range ids {
		out[i] = d.unit(&ids[i])
	}
	return out
}

func (d execDirectory) regionNames(ids []int64) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = d.regions[id]
	}
	return out
}
