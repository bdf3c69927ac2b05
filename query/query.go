// Package query is presswatch's one boolean query language, shared by topic
// rules in the classifier, alert routes and analysts' searches. A query is
// parsed once into an AST (Node); Eval evaluates it against a Doc, and the
// index translates the same AST to a Bleve query.
//
// # Grammar
//
//	query   = or
//	or      = and { "OR" and }
//	and     = unary { ["AND"] unary }          // juxtaposition is AND
//	unary   = ("NOT" | "-") unary | primary
//	primary = "(" or ")" | compare | near
//	near    = nearop { "NEAR" ["/" n] nearop }  // every NEAR in a chain has the same n
//	nearop  = atom | "(" words and phrases joined by OR ")"
//	atom    = [field ":"] (word | word "*" | '"' words '"')
//	compare = field (">" | ">=" | "<" | "<=" | "=") value   // e.g. risk>=60
//
// Operators AND, OR, NOT and NEAR are recognised only in upper case; in lower
// case they are ordinary words. NOT binds tightest, then NEAR, then AND, then
// OR, so `a b OR c` is `(a AND b) OR c`. A leading "-" is NOT (`-sport`).
// NEAR without "/n" means NEAR/10. Field names are letters, digits and "_";
// "field:" with no field means the default text fields. A word may contain any
// characters except white space, parentheses, quotes and ":"; a word with a
// ":" or an operator's name must be quoted. Inside quotes, \" and \\ escape.
//
// # Meaning
//
// Text is compared after the one analysis of presswatch (package
// internal/textnorm, Analyze), which the search index uses too: NFKC width
// normalisation, case folding, Vietnamese diacritics removed with đ/Ð→d, so
// "Dong Nai" matches "Đồng Nai" and "ﾄﾞﾝﾅｲ" matches "ドンナイ". A word is
// analysed as text is; a word that is several terms ("Đồng-Nai", "同奈省") is
// a phrase. Han, Kana and Hangul match by adjacent character bigrams in
// order, so "同奈" matches inside "同奈省" but not "同 … 奈", and "동나이"
// matches "동 나이" (a known name written with a space) but not "활동 나이".
// An unquoted English word also matches its Porter stem in English text
// ("protest" finds "protesters"); quoted words match exactly. word* matches
// any term starting with word. "a b" matches the terms in order and
// adjacent. a NEAR/n b matches when an occurrence of each
// operand starts within n tokens of the others (any order). An operand of
// NEAR may be a parenthesised OR of words and phrases: (a OR b) NEAR/3 c is
// expanded when parsed to (a NEAR/3 c) OR (b NEAR/3 c), so every Near in the
// AST holds only *Term and *Phrase.
//
// A field:value on a keyword field (lang, country, topic, …) compares the whole
// value, folded; on a text field it matches tokens as above. Comparisons need a
// numeric field; a value that is not a number never matches. Which fields are
// text, keyword or numeric is up to the Doc.
package query

import (
	"fmt"
	"strconv"
	"strings"
)

// Node is a parsed query: *And, *Or, *Not, *Term, *Phrase, *Near or *Compare.
type Node interface{ node() }

// And matches when both sides match.
type And struct{ Left, Right Node }

// Or matches when either side matches.
type Or struct{ Left, Right Node }

// Not matches when X does not.
type Not struct{ X Node }

// Term is one word, optionally a prefix (word*), in Field ("" = default text fields).
type Term struct {
	Field, Value string
	Prefix       bool
}

// Phrase is a quoted sequence of words in Field ("" = default text fields).
// A quoted single word is a Phrase too: quotes mean the exact words, without
// the English stems an unquoted word also matches.
type Phrase struct {
	Field string
	Words []string
}

// Near matches when every one of Terms (each a *Term or *Phrase) occurs within
// Dist tokens of the others.
type Near struct {
	Terms []Node
	Dist  int
}

// Compare is a numeric comparison of Field against Value with Op, one of
// ">", ">=", "<", "<=", "=".
type Compare struct {
	Field, Op, Value string
}

func (*And) node()     {}
func (*Or) node()      {}
func (*Not) node()     {}
func (*Term) node()    {}
func (*Phrase) node()  {}
func (*Near) node()    {}
func (*Compare) node() {}

// DefaultNear is the distance of NEAR written without "/n".
const DefaultNear = 10

// MaxNear is the largest NEAR distance accepted.
const MaxNear = 1000

// maxDepth bounds nesting so that hostile input cannot exhaust the stack.
const maxDepth = 100

// SyntaxError is a parse error at byte offset Pos of the query.
type SyntaxError struct {
	Pos int
	Msg string
}

// Error returns "position N: msg".
func (e *SyntaxError) Error() string { return fmt.Sprintf("position %d: %s", e.Pos, e.Msg) }

type tokKind int

const (
	tEOF tokKind = iota
	tWord
	tQuoted
	tLParen
	tRParen
	tAnd
	tOr
	tNot
	tNear
	tMinus
)

type token struct {
	kind  tokKind
	pos   int
	text  string // word text (without "*"), or the field for fielded atoms
	field string
	hasF  bool
	pref  bool
	op    string // comparison operator
	dist  int
}

type parser struct {
	s     string
	i     int
	tok   token
	depth int
}

// Parse parses s. Its errors are *SyntaxError.
func Parse(s string) (Node, error) {
	p := &parser{s: s}
	if err := p.next(); err != nil {
		return nil, err
	}
	if p.tok.kind == tEOF {
		return nil, &SyntaxError{Pos: p.tok.pos, Msg: "empty query"}
	}
	n, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tEOF {
		if p.tok.kind == tRParen {
			return nil, &SyntaxError{Pos: p.tok.pos, Msg: "unbalanced \")\""}
		}
		return nil, &SyntaxError{Pos: p.tok.pos, Msg: "unexpected input"}
	}
	return n, nil
}

// MustParse is Parse for queries written in code and known to be valid; it
// panics on a syntax error and must not be used on outside input.
func MustParse(s string) Node {
	n, err := Parse(s)
	if err != nil {
		panic(fmt.Sprintf("query.MustParse(%q): %v", s, err))
	}
	return n
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

func isFieldByte(c byte) bool {
	return c == '_' || c == '.' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9')
}

func isWordEnd(c byte) bool {
	return isSpace(c) || c == '(' || c == ')' || c == '"'
}

func (p *parser) next() error {
	for p.i < len(p.s) && isSpace(p.s[p.i]) {
		p.i++
	}
	start := p.i
	if p.i >= len(p.s) {
		p.tok = token{kind: tEOF, pos: p.i}
		return nil
	}
	switch c := p.s[p.i]; c {
	case '(':
		p.i++
		p.tok = token{kind: tLParen, pos: start}
		return nil
	case ')':
		p.i++
		p.tok = token{kind: tRParen, pos: start}
		return nil
	case '"':
		w, err := p.quoted()
		if err != nil {
			return err
		}
		p.tok = token{kind: tQuoted, pos: start, text: w, pref: p.star()}
		return nil
	case '-':
		if p.i+1 < len(p.s) && !isSpace(p.s[p.i+1]) && p.s[p.i+1] != ')' {
			p.i++
			p.tok = token{kind: tMinus, pos: start}
			return nil
		}
	}
	// field prefix?
	j := p.i
	for j < len(p.s) && isFieldByte(p.s[j]) {
		j++
	}
	if j > p.i && j < len(p.s) {
		field := p.s[p.i:j]
		switch {
		case p.s[j] == ':':
			p.i = j + 1
			if p.i < len(p.s) && p.s[p.i] == '"' {
				w, err := p.quoted()
				if err != nil {
					return err
				}
				p.tok = token{kind: tQuoted, pos: start, text: w, field: field, hasF: true, pref: p.star()}
				return nil
			}
			vstart := p.i
			w, pref := p.word()
			if w == "" {
				return &SyntaxError{Pos: p.i, Msg: fmt.Sprintf("missing value after %q", field+":")}
			}
			if i := strings.IndexByte(w, '*'); i >= 0 {
				return &SyntaxError{Pos: vstart + i, Msg: innerStar}
			}
			p.tok = token{kind: tWord, pos: start, text: w, field: field, hasF: true, pref: pref}
			return nil
		case p.s[j] == '>' || p.s[j] == '<' || p.s[j] == '=':
			op := string(p.s[j])
			k := j + 1
			if k < len(p.s) && p.s[k] == '=' && op != "=" {
				op += "="
				k++
			}
			p.i = k
			w, pref := p.word()
			if w == "" || pref {
				return &SyntaxError{Pos: p.i, Msg: fmt.Sprintf("missing value after %q", field+op)}
			}
			p.tok = token{kind: tWord, pos: start, text: w, field: field, hasF: true, op: op}
			return nil
		}
	}
	w, pref := p.word()
	if w == "" {
		return &SyntaxError{Pos: start, Msg: fmt.Sprintf("unexpected %q", p.s[start:start+1])}
	}
	if i := strings.IndexByte(w, '*'); i >= 0 {
		return &SyntaxError{Pos: start + i, Msg: innerStar}
	}
	if !pref {
		switch {
		case w == "AND":
			p.tok = token{kind: tAnd, pos: start}
			return nil
		case w == "OR":
			p.tok = token{kind: tOr, pos: start}
			return nil
		case w == "NOT":
			p.tok = token{kind: tNot, pos: start}
			return nil
		case w == "NEAR":
			p.tok = token{kind: tNear, pos: start, dist: DefaultNear}
			return nil
		case strings.HasPrefix(w, "NEAR/"):
			n, err := strconv.Atoi(w[5:])
			if err != nil || n < 0 || n > MaxNear {
				return &SyntaxError{Pos: start, Msg: fmt.Sprintf("bad NEAR distance %q (want 0..%d)", w[5:], MaxNear)}
			}
			p.tok = token{kind: tNear, pos: start, dist: n}
			return nil
		}
	}
	p.tok = token{kind: tWord, pos: start, text: w, pref: pref}
	return nil
}

// star consumes a "*" right after a closing quote: a quoted prefix.
func (p *parser) star() bool {
	if p.i < len(p.s) && p.s[p.i] == '*' {
		p.i++
		return true
	}
	return false
}

// innerStar is the error of a "*" that does not end a word ("*a", "a*b"):
// a word matches by its beginning only.
const innerStar = `a "*" may only end a word, as in dong*`

// word reads a bare word; a trailing "*" makes it a prefix.
func (p *parser) word() (string, bool) {
	start := p.i
	for p.i < len(p.s) && !isWordEnd(p.s[p.i]) {
		p.i++
	}
	w := p.s[start:p.i]
	if strings.HasSuffix(w, "*") {
		w = strings.TrimRight(w, "*")
		if w == "" {
			return "", false
		}
		return w, true
	}
	return w, false
}

// quoted reads a quoted string at p.i (which is '"').
func (p *parser) quoted() (string, error) {
	start := p.i
	p.i++
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch c {
		case '\\':
			if p.i+1 < len(p.s) {
				b.WriteByte(p.s[p.i+1])
				p.i += 2
				continue
			}
			return "", &SyntaxError{Pos: p.i, Msg: "backslash at end of query"}
		case '"':
			p.i++
			return b.String(), nil
		}
		b.WriteByte(c)
		p.i++
	}
	return "", &SyntaxError{Pos: start, Msg: "unterminated quote"}
}

func (p *parser) parseOr() (Node, error) {
	left, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	for p.tok.kind == tOr {
		pos := p.tok.pos
		if err := p.next(); err != nil {
			return nil, err
		}
		if !p.startsOperand() {
			return nil, &SyntaxError{Pos: pos, Msg: "OR needs a right operand"}
		}
		right, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		left = &Or{Left: left, Right: right}
	}
	return left, nil
}

func (p *parser) startsOperand() bool {
	switch p.tok.kind {
	case tWord, tQuoted, tLParen, tNot, tMinus:
		return true
	}
	return false
}

func (p *parser) parseAnd() (Node, error) {
	if !p.startsOperand() {
		return nil, p.unexpected()
	}
	left, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	for {
		if p.tok.kind == tAnd {
			pos := p.tok.pos
			if err := p.next(); err != nil {
				return nil, err
			}
			if !p.startsOperand() {
				return nil, &SyntaxError{Pos: pos, Msg: "AND needs a right operand"}
			}
		} else if !p.startsOperand() {
			return left, nil
		}
		right, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		left = &And{Left: left, Right: right}
	}
}

func (p *parser) unexpected() error {
	switch p.tok.kind {
	case tEOF:
		return &SyntaxError{Pos: p.tok.pos, Msg: "unexpected end of query"}
	case tRParen:
		return &SyntaxError{Pos: p.tok.pos, Msg: "unexpected \")\""}
	case tAnd, tOr, tNear:
		return &SyntaxError{Pos: p.tok.pos, Msg: "operator without a left operand"}
	}
	return &SyntaxError{Pos: p.tok.pos, Msg: "unexpected input"}
}

func (p *parser) parseUnary() (Node, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		return nil, &SyntaxError{Pos: p.tok.pos, Msg: "query nested too deeply"}
	}
	switch p.tok.kind {
	case tNot, tMinus:
		pos := p.tok.pos
		if err := p.next(); err != nil {
			return nil, err
		}
		if !p.startsOperand() {
			return nil, &SyntaxError{Pos: pos, Msg: "NOT needs an operand"}
		}
		x, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		return &Not{X: x}, nil
	case tLParen:
		pos := p.tok.pos
		n, err := p.parseGroup()
		if err != nil {
			return nil, err
		}
		if p.tok.kind == tNear {
			return p.nearChain(n, pos)
		}
		return n, nil
	}
	return p.parseNear()
}

// parseGroup parses "(" or ")".
func (p *parser) parseGroup() (Node, error) {
	pos := p.tok.pos
	if err := p.next(); err != nil {
		return nil, err
	}
	if p.tok.kind == tRParen {
		return nil, &SyntaxError{Pos: pos, Msg: "empty parentheses"}
	}
	n, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tRParen {
		return nil, &SyntaxError{Pos: pos, Msg: "unbalanced \"(\""}
	}
	if err := p.next(); err != nil {
		return nil, err
	}
	return n, nil
}

func (p *parser) parseNear() (Node, error) {
	pos := p.tok.pos
	first, err := p.parseAtom()
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tNear {
		return first, nil
	}
	return p.nearChain(first, pos)
}

// maxNearExpansion bounds how many NEAR clauses a chain of OR groups may
// expand to.
const maxNearExpansion = 1024

// MaxNearOperands bounds the words or phrases one NEAR chain joins. Every
// pair of operands is checked (a chain of n is n·(n−1)/2 pairs), so a long
// chain is costly to search; an analyst's NEAR joins two to four.
const MaxNearOperands = 8

// nearChain parses the rest of "first NEAR/n x NEAR/n y …". An operand may be
// a parenthesised OR of words and phrases; the chain is then expanded into an
// OR of NEAR clauses, one per combination, so the AST keeps plain words and
// phrases in every Near.
func (p *parser) nearChain(first Node, firstPos int) (Node, error) {
	alts, err := nearAlternatives(first, firstPos)
	if err != nil {
		return nil, err
	}
	operands := [][]Node{alts}
	dist := p.tok.dist
	for p.tok.kind == tNear {
		if p.tok.dist != dist {
			return nil, &SyntaxError{Pos: p.tok.pos, Msg: "every NEAR in a chain must have the same distance"}
		}
		pos := p.tok.pos
		if err := p.next(); err != nil {
			return nil, err
		}
		var n Node
		opPos := p.tok.pos
		switch p.tok.kind {
		case tWord, tQuoted:
			n, err = p.parseAtom()
		case tLParen:
			n, err = p.parseGroup()
		default:
			return nil, &SyntaxError{Pos: pos, Msg: "NEAR needs a word, a phrase or a parenthesised OR of them on each side"}
		}
		if err != nil {
			return nil, err
		}
		alts, err := nearAlternatives(n, opPos)
		if err != nil {
			return nil, err
		}
		operands = append(operands, alts)
		if len(operands) > MaxNearOperands {
			return nil, &SyntaxError{Pos: pos, Msg: fmt.Sprintf("a NEAR chain may join at most %d words or phrases", MaxNearOperands)}
		}
	}
	total := 1
	for _, o := range operands {
		total *= len(o)
		if total > maxNearExpansion {
			return nil, &SyntaxError{Pos: firstPos, Msg: fmt.Sprintf("NEAR over OR groups expands to more than %d clauses", maxNearExpansion)}
		}
	}
	var out Node
	combo := make([]Node, len(operands))
	var rec func(i int)
	rec = func(i int) {
		if i == len(operands) {
			terms := make([]Node, len(combo))
			copy(terms, combo)
			var nr Node = &Near{Terms: terms, Dist: dist}
			if out == nil {
				out = nr
			} else {
				out = &Or{Left: out, Right: nr}
			}
			return
		}
		for _, a := range operands[i] {
			combo[i] = a
			rec(i + 1)
		}
	}
	rec(0)
	return out, nil
}

// nearAlternatives flattens a NEAR operand into its words and phrases.
func nearAlternatives(n Node, pos int) ([]Node, error) {
	switch n := n.(type) {
	case *Term, *Phrase:
		return []Node{n}, nil
	case *Or:
		l, err := nearAlternatives(n.Left, pos)
		if err != nil {
			return nil, err
		}
		r, err := nearAlternatives(n.Right, pos)
		if err != nil {
			return nil, err
		}
		return append(l, r...), nil
	}
	return nil, &SyntaxError{Pos: pos, Msg: "NEAR needs words, phrases or an OR of them, not a comparison, NOT, AND or NEAR"}
}

func (p *parser) parseAtom() (Node, error) {
	t := p.tok
	var n Node
	switch t.kind {
	case tWord:
		switch {
		case t.op != "":
			n = &Compare{Field: t.field, Op: t.op, Value: t.text}
		default:
			n = &Term{Field: t.field, Value: t.text, Prefix: t.pref}
		}
	case tQuoted:
		words := strings.FieldsFunc(t.text, func(r rune) bool { return r < 0x80 && isSpace(byte(r)) })
		if len(words) == 0 {
			return nil, &SyntaxError{Pos: t.pos, Msg: "empty phrase"}
		}
		if len(words) == 1 && t.pref {
			n = &Term{Field: t.field, Value: words[0], Prefix: true}
		} else if t.pref {
			return nil, &SyntaxError{Pos: t.pos, Msg: "a prefix \"*\" applies to one word, not a phrase"}
		} else {
			n = &Phrase{Field: t.field, Words: words}
		}
	default:
		return nil, p.unexpected()
	}
	if err := p.next(); err != nil {
		return nil, err
	}
	return n, nil
}

// String returns n in the query syntax, fully parenthesised where precedence
// would otherwise be ambiguous, so that Parse(String(n)) yields an equal AST.
func String(n Node) string {
	var b strings.Builder
	write(&b, n, 0)
	return b.String()
}

// precedence levels: 0 or, 1 and, 2 unary/atom.
func write(b *strings.Builder, n Node, ctx int) {
	switch n := n.(type) {
	case *Or:
		if ctx > 0 {
			b.WriteByte('(')
		}
		write(b, n.Left, 0)
		b.WriteString(" OR ")
		write(b, n.Right, 1)
		if ctx > 0 {
			b.WriteByte(')')
		}
	case *And:
		if ctx > 1 {
			b.WriteByte('(')
		}
		write(b, n.Left, 1)
		b.WriteString(" AND ")
		write(b, n.Right, 2)
		if ctx > 1 {
			b.WriteByte(')')
		}
	case *Not:
		b.WriteString("NOT ")
		write(b, n.X, 2)
	case *Term:
		if n.Field != "" {
			b.WriteString(n.Field)
			b.WriteByte(':')
		}
		if !n.Prefix && needsQuote(n.Value) && parsesAsWord(n.Value) {
			// Quotes would make it a Phrase (exact): write it as typed.
			b.WriteString(n.Value)
		} else {
			writeWord(b, n.Value)
		}
		if n.Prefix {
			b.WriteByte('*')
		}
	case *Phrase:
		if n.Field != "" {
			b.WriteString(n.Field)
			b.WriteByte(':')
		}
		writeQuoted(b, strings.Join(n.Words, " "))
	case *Near:
		for i, t := range n.Terms {
			if i > 0 {
				fmt.Fprintf(b, " NEAR/%d ", n.Dist)
			}
			write(b, t, 2)
		}
	case *Compare:
		b.WriteString(n.Field)
		b.WriteString(n.Op)
		b.WriteString(n.Value)
	case nil:
	}
}

func writeWord(b *strings.Builder, w string) {
	if needsQuote(w) {
		writeQuoted(b, w)
		return
	}
	b.WriteString(w)
}

// parsesAsWord reports whether w, written without quotes, parses back as
// the bare word w.
func parsesAsWord(w string) bool {
	n, err := Parse(w)
	if err != nil {
		return false
	}
	t, ok := n.(*Term)
	return ok && t.Field == "" && !t.Prefix && t.Value == w
}

func needsQuote(w string) bool {
	if w == "" || w == "AND" || w == "OR" || w == "NOT" || w == "NEAR" || strings.HasPrefix(w, "NEAR/") || w[0] == '-' {
		return true
	}
	if strings.HasSuffix(w, "*") {
		return true
	}
	for i := 0; i < len(w); i++ {
		c := w[i]
		if isWordEnd(c) || c == ':' || c == '\\' || c == '>' || c == '<' || c == '=' {
			return true
		}
	}
	return false
}

func writeQuoted(b *strings.Builder, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
}
