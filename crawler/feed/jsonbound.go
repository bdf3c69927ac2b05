package feed

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// MaxJSONDepth bounds the nesting of a JSON feed (objects and arrays). A
// JSON Feed needs five levels; extensions rarely more than ten. A value
// nested deeper is dropped — an item, or a field of an item — and every
// other item is kept: one over-deep entry used to lose the whole feed
// (encoding/json stops at 10,000 levels with an error).
const MaxJSONDepth = 64

// structural are the containers decodeBounded opens when they are nested too
// deep, to keep their valid members: the document, its items and the
// RSS-in-JSON channel. Anything else nested too deep — an item included — is
// dropped whole.
var structural = map[string]bool{
	"$": true, "$.items": true, "$.rss": true, "$.rss.channel": true, "$.rss.channel.item": true,
}

var errJSONSyntax = errors.New("malformed JSON")

// decodeBounded decodes a JSON document like json.Unmarshal into any, but
// drops values nested deeper than MaxJSONDepth instead of failing, and
// reports each dropped value by its path ("items[3]"). It scans iteratively,
// so a document nested a million levels deep costs no stack.
func decodeBounded(b []byte) (any, []string, error) {
	i := skipWS(b, 0)
	end, _, err := spanValue(b, i)
	if err != nil {
		return nil, nil, err
	}
	if j := skipWS(b, end); j != len(b) {
		return nil, nil, fmt.Errorf("%w: data after the top-level value at offset %d", errJSONSyntax, j)
	}
	var dropped []string
	v, ok, err := decodeAt(b[i:end], "$", 0, &dropped)
	if err != nil {
		return nil, nil, err
	}
	if !ok {
		return nil, dropped, fmt.Errorf("JSON feed nested deeper than %d levels", MaxJSONDepth)
	}
	return v, dropped, nil
}

// decodeAt decodes the value v found at nesting level (0 for the document).
// ok is false when v itself was dropped.
func decodeAt(v []byte, path string, level int, dropped *[]string) (any, bool, error) {
	_, depth, err := spanValue(v, 0)
	if err != nil {
		return nil, false, err
	}
	if level+depth <= MaxJSONDepth {
		var x any
		if err := json.Unmarshal(v, &x); err != nil {
			return nil, false, fmt.Errorf("%w: %w", errJSONSyntax, err)
		}
		return x, true, nil
	}
	if !structural[path] {
		*dropped = append(*dropped, path)
		return nil, false, nil
	}
	switch v[0] {
	case '{':
		out := map[string]any{}
		err := eachMember(v, true, func(key string, val []byte) error {
			x, ok, err := decodeAt(val, path+"."+key, level+1, dropped)
			if ok {
				out[key] = x
			}
			return err
		})
		return out, err == nil, err
	case '[':
		out := []any{}
		n := 0
		err := eachMember(v, false, func(_ string, val []byte) error {
			x, ok, err := decodeAt(val, path+"["+strconv.Itoa(n)+"]", level+1, dropped)
			n++
			if ok {
				out = append(out, x)
			}
			return err
		})
		return out, err == nil, err
	}
	*dropped = append(*dropped, path)
	return nil, false, nil
}

// eachMember calls fn for every member of the object or array v (whose span
// is already known to be well bracketed).
func eachMember(v []byte, object bool, fn func(key string, val []byte) error) error {
	closer := byte(']')
	if object {
		closer = '}'
	}
	i := skipWS(v, 1)
	if i < len(v) && v[i] == closer {
		return nil
	}
	for {
		var key string
		if object {
			end, _, err := spanValue(v, i)
			if err != nil || v[i] != '"' {
				return fmt.Errorf("%w: object key expected at offset %d", errJSONSyntax, i)
			}
			if err := json.Unmarshal(v[i:end], &key); err != nil {
				return fmt.Errorf("%w: %w", errJSONSyntax, err)
			}
			i = skipWS(v, end)
			if i >= len(v) || v[i] != ':' {
				return fmt.Errorf("%w: ':' expected at offset %d", errJSONSyntax, i)
			}
			i = skipWS(v, i+1)
		}
		end, _, err := spanValue(v, i)
		if err != nil {
			return err
		}
		if err := fn(key, v[i:end]); err != nil {
			return err
		}
		i = skipWS(v, end)
		if i >= len(v) {
			return fmt.Errorf("%w: unexpected end", errJSONSyntax)
		}
		switch v[i] {
		case ',':
			i = skipWS(v, i+1)
		case closer:
			return nil
		default:
			return fmt.Errorf("%w: ',' expected at offset %d", errJSONSyntax, i)
		}
	}
}

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// spanValue returns the end of the JSON value starting at b[i] and its
// nesting depth (0 for a scalar). It checks brackets and strings only; the
// values kept are validated by json.Unmarshal.
func spanValue(b []byte, i int) (end, depth int, err error) {
	if i >= len(b) {
		return 0, 0, fmt.Errorf("%w: value expected at end of input", errJSONSyntax)
	}
	switch b[i] {
	case '"':
		end, err := spanString(b, i)
		return end, 0, err
	case '{', '[':
	default:
		j := i
		for j < len(b) {
			switch b[j] {
			case ',', ']', '}', ':', ' ', '\t', '\n', '\r', '"', '{', '[':
				if j == i {
					return 0, 0, fmt.Errorf("%w: value expected at offset %d", errJSONSyntax, i)
				}
				return j, 0, nil
			}
			j++
		}
		return j, 0, nil
	}
	// Containers: a stack of the open brackets, kept as a byte slice.
	var stack []byte
	for j := i; j < len(b); j++ {
		switch c := b[j]; c {
		case '"':
			e, err := spanString(b, j)
			if err != nil {
				return 0, 0, err
			}
			j = e - 1
		case '{', '[':
			stack = append(stack, c)
			depth = max(depth, len(stack))
		case '}', ']':
			open := byte('{')
			if c == ']' {
				open = '['
			}
			if len(stack) == 0 || stack[len(stack)-1] != open {
				return 0, 0, fmt.Errorf("%w: unbalanced %q at offset %d", errJSONSyntax, c, j)
			}
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				return j + 1, depth, nil
			}
		}
	}
	return 0, 0, fmt.Errorf("%w: unexpected end inside a value", errJSONSyntax)
}

func spanString(b []byte, i int) (int, error) {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1, nil
		}
	}
	return 0, fmt.Errorf("%w: unterminated string at offset %d", errJSONSyntax, i)
}
