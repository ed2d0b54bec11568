package postgres

// MapError is mapError, for the tests of the words a refused row gets.
var MapError = mapError
