package dateparser

import "github.com/markusmobius/go-dateparser/internal/regexp"

// CheckPatterns compiles every pattern of the locale and parser tables and
// returns the first that does not compile. presswatch's copy compiles the
// patterns on first use (PRESSWATCH.md); its tests call this so that a bad
// pattern still fails a test rather than a date parse in production.
func CheckPatterns() error { return regexp.CompileAll() }
