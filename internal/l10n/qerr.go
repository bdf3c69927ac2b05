package l10n

import (
	"fmt"
	"regexp"
)

// queryErrors maps the messages of query.SyntaxError and of the index's
// query translation (English, for logs and the API) to catalogue keys; the
// groups of the pattern are the arguments of the key's format.
var queryErrors = []struct {
	re  *regexp.Regexp
	key string
}{
	{regexp.MustCompile(`^empty query$`), "qerr_empty"},
	{regexp.MustCompile(`^unbalanced "\)"$`), "qerr_unbalanced_close"},
	{regexp.MustCompile(`^unbalanced "\("$`), "qerr_unbalanced_open"},
	{regexp.MustCompile(`^unexpected input$`), "qerr_unexpected"},
	{regexp.MustCompile(`^unexpected "\)"$`), "qerr_unbalanced_close"},
	{regexp.MustCompile(`^unexpected end of query$`), "qerr_unexpected_end"},
	{regexp.MustCompile(`^unexpected (".*")$`), "qerr_unexpected_char"},
	{regexp.MustCompile(`^missing value after (".*")$`), "qerr_missing_value"},
	{regexp.MustCompile(`^bad NEAR distance (".*") \(want 0\.\.(\d+)\)$`), "qerr_near_distance"},
	{regexp.MustCompile(`^backslash at end of query$`), "qerr_backslash"},
	{regexp.MustCompile(`^unterminated quote$`), "qerr_unterminated"},
	{regexp.MustCompile(`^(OR|AND) needs a right operand$`), "qerr_needs_right"},
	{regexp.MustCompile(`^operator without a left operand$`), "qerr_no_left"},
	{regexp.MustCompile(`^query nested too deeply$`), "qerr_too_deep"},
	{regexp.MustCompile(`^NOT needs an operand$`), "qerr_not_operand"},
	{regexp.MustCompile(`^empty parentheses$`), "qerr_empty_parens"},
	{regexp.MustCompile(`^every NEAR in a chain`), "qerr_near_same"},
	{regexp.MustCompile(`^NEAR over OR groups expands`), "qerr_near_expansion"},
	{regexp.MustCompile(`^a NEAR chain may join at most (\d+) words or phrases$`), "qerr_near_chain"},
	{regexp.MustCompile(`^the query's NEAR clauses are too many`), "qerr_near_budget"},
	{regexp.MustCompile(`the search took longer than its time limit`), "qerr_timeout"},
	{regexp.MustCompile(`^NEAR `), "qerr_near_operands"},
	{regexp.MustCompile(`^empty phrase$`), "qerr_empty_phrase"},
	{regexp.MustCompile(`^a prefix "\*" applies to one word`), "qerr_prefix_phrase"},
	{regexp.MustCompile(`^a "\*" may only end a word`), "qerr_inner_star"},
	{regexp.MustCompile(`^a "\*" inside quotes is not a prefix`), "qerr_star_in_quotes"},
	{regexp.MustCompile(`^unknown field (".*?") \(`), "qerr_unknown_field"},
	{regexp.MustCompile(`^prefix (".*") is too short \(at least (\d+) letters\)$`), "qerr_prefix_short"},
	{regexp.MustCompile(`^(\w+) needs a number, not (".*")$`), "qerr_needs_number"},
	{regexp.MustCompile(`^(\w+) needs a date such as 2026-11-05, not (".*")$`), "qerr_needs_date"},
	{regexp.MustCompile(`^field (".*?") `), "qerr_field_kind"},
	{regexp.MustCompile(`^(?:since|until): want a date`), "qerr_bad_date"},
	{regexp.MustCompile(`until .* is not after since`), "qerr_bad_range"},
	{regexp.MustCompile(`cannot filter on (".*?")`), "qerr_bad_filter"},
	{regexp.MustCompile(`^q: the query is (\d+) characters; at most (\d+)$`), "qerr_too_long"},
}

// QueryError writes the message of a query or search-form error in lang.
// A message of unknown shape gets a general sentence, never the English.
func QueryError(lang, msg string) string {
	for _, q := range queryErrors {
		m := q.re.FindStringSubmatch(msg)
		if m == nil {
			continue
		}
		args := make([]any, len(m)-1)
		for i, a := range m[1:] {
			args[i] = a
		}
		if len(args) == 0 {
			return T(lang, q.key)
		}
		return fmt.Sprintf(T(lang, q.key), args...)
	}
	return T(lang, "qerr_other")
}
