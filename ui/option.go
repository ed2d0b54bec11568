package ui

// Option is a choice of a select.
type Option struct {
	Value    string
	Label    string
	Selected bool
}
