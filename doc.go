// Package ptacycle holds the domain of an annual planning cycle: the types
// (units, users, cycles, plans, activities…), their validation, the error
// codes meant for people, and the pure computations such as the execution
// rate. It imports none of the project's subpackages.
package ptacycle
