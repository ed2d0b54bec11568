package xlsx

// ParseWithoutRecover is Parse without its last-resort recover, so that fuzzing finds what panics.
var ParseWithoutRecover = parse
