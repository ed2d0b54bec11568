package server

import (
	"math"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ptacycle/ptacycle"
)

// The limits on sign-ins and password-reset requests are the layer's
// (app/limits.go); here is how an HTTP answer says to wait.

// retryAfter tells the client, in Retry-After, to wait wait; it returns the seconds it said.
func retryAfter(c *gin.Context, wait time.Duration) int {
	seconds := int(math.Ceil(wait.Seconds()))
	c.Header("Retry-After", strconv.Itoa(seconds))
	return seconds
}

// tooManySignIns refuses a sign-in that must wait, saying when to try again. ETOOMANY.
func tooManySignIns(c *gin.Context, wait time.Duration) error {
	n := retryAfter(c, wait)
	if n < 60 {
		return ptacycle.Errorf(ptacycle.ETOOMANY, "Trop de tentatives de connexion : réessayez dans %d seconde%s",
			"Too many sign-in attempts: try again in %d second%s", n, plural(n))
	}
	n = (n + 59) / 60
	return ptacycle.Errorf(ptacycle.ETOOMANY, "Trop de tentatives de connexion : réessayez dans %d minute%s",
		"Too many sign-in attempts: try again in %d minute%s", n, plural(n))
}

// plural is the ending of a French or English noun counted n (n ≥ 1).
func plural(n int) string {
	if n > 1 {
		return "s"
	}
	return ""
}
