// Package workflows defines ptacycle's Temporal workflows: the annual cycle
// of an organisation and the follow-up of each activity during execution.
// Workflow code is deterministic: no clock, no I/O, no map iteration, no
// goroutines; everything that touches the world is an activity. Their search
// attributes are defined, with their registration, in internal/searchattrs.
package workflows
