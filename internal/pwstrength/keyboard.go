package pwstrength

import (
	"strings"
	"sync"
)

// A keyboard is an adjacency graph: for every character, its neighbouring
// keys in a fixed order of directions (so a change of direction is a
// "turn"), each key as its unshifted then shifted character ("" where the
// keyboard has no neighbour).
type keyboard struct {
	name      string
	shiftable bool // keys have a shifted character (not the keypads)
	adj       map[rune][]string
	starts    float64 // number of characters: where a walk may start
	degree    float64 // average number of neighbours
}

// Layouts as zxcvbn draws them. On the typewriter keyboards each row sits
// half a key to the right of the one above, so a key has six neighbours
// (left, upper-left, upper-right, right, lower-right, lower-left); keypads
// are square grids with eight.
var (
	qwertyRows = []string{
		"`~ 1! 2@ 3# 4$ 5% 6^ 7& 8* 9( 0) -_ =+",
		"qQ wW eE rR tT yY uU iI oO pP [{ ]} \\|",
		"aA sS dD fF gG hH jJ kK lL ;: '\"",
		"zZ xX cC vV bB nN mM ,< .> /?",
	}
	dvorakRows = []string{
		"`~ 1! 2@ 3# 4$ 5% 6^ 7& 8* 9( 0) [{ ]}",
		"'\" ,< .> pP yY fF gG cC rR lL /? =+ \\|",
		"aA oO eE uU iI dD hH tT nN sS -_",
		";: qQ jJ kK xX bB mM wW vV zZ",
	}
	// Keypad rows: a space stands for "no key here".
	keypadRows    = []string{" /*-", "789+", "456", "123", " 0."}
	macKeypadRows = []string{" =/*", "789-", "456+", "123", " 0."}
)

// keyboards returns the four graphs, built on first use.
var keyboards = sync.OnceValue(func() []*keyboard {
	return []*keyboard{
		slantedKeyboard("qwerty", qwertyRows),
		slantedKeyboard("dvorak", dvorakRows),
		gridKeyboard("keypad", keypadRows),
		gridKeyboard("mac_keypad", macKeypadRows),
	}
})

// slantedKeyboard builds the graph of a typewriter layout. Row y's key x
// sits at column x+y/2 in real space; its neighbours are, in order, left,
// upper-left, upper-right, right, lower-right and lower-left. The number
// row starts one key to the left of the letter rows, which all start at 1.
func slantedKeyboard(name string, rows []string) *keyboard {
	pos := map[[2]int]string{}
	for y, row := range rows {
		x := 0
		if y > 0 {
			x = 1
		}
		for _, k := range strings.Fields(row) {
			pos[[2]int{x, y}] = k
			x++
		}
	}
	dirs := [][2]int{{-1, 0}, {0, -1}, {1, -1}, {1, 0}, {0, 1}, {-1, 1}}
	return buildKeyboard(name, true, pos, dirs)
}

// gridKeyboard builds the graph of a keypad: neighbours in the eight
// directions left, upper-left, up, upper-right, right, lower-right, down,
// lower-left.
func gridKeyboard(name string, rows []string) *keyboard {
	pos := map[[2]int]string{}
	for y, row := range rows {
		for x, r := range row {
			if r != ' ' {
				pos[[2]int{x, y}] = string(r)
			}
		}
	}
	dirs := [][2]int{{-1, 0}, {-1, -1}, {0, -1}, {1, -1}, {1, 0}, {1, 1}, {0, 1}, {-1, 1}}
	return buildKeyboard(name, false, pos, dirs)
}

func buildKeyboard(name string, shiftable bool, pos map[[2]int]string, dirs [][2]int) *keyboard {
	kb := &keyboard{name: name, shiftable: shiftable, adj: map[rune][]string{}}
	var neighbours int
	for p, key := range pos {
		adj := make([]string, len(dirs))
		count := 0
		for d, dir := range dirs {
			if k, ok := pos[[2]int{p[0] + dir[0], p[1] + dir[1]}]; ok {
				adj[d] = k
				count++
			}
		}
		for _, r := range key {
			kb.adj[r] = adj
			neighbours += count
		}
	}
	kb.starts = float64(len(kb.adj))
	kb.degree = float64(neighbours) / kb.starts
	return kb
}

// shiftedChars are the characters typed with shift on a US keyboard.
const shiftedChars = "~!@#$%^&*()_+QWERTYUIOPASDFGHJKLZXCVBNM{}|:\"<>?"

// spatialMatches finds walks of three or more neighbouring keys
// ("qwerty", "zxcvbn", "1qaz2wsx", "7896541").
func spatialMatches(ms []match, pw []rune) []match {
	for _, kb := range keyboards() {
		ms = kb.walks(ms, pw)
	}
	return ms
}

func (kb *keyboard) walks(ms []match, pw []rune) []match {
	n := len(pw)
	for i := 0; i < n-1; {
		j := i + 1
		lastDir, turns, shifted := -1, 0, 0
		if kb.shiftable && strings.ContainsRune(shiftedChars, pw[i]) {
			shifted = 1
		}
		for {
			found := false
			if j < n {
				cur := string(pw[j])
				for d, key := range kb.adj[pw[j-1]] {
					if key == "" {
						continue
					}
					if idx := strings.Index(key, cur); idx >= 0 {
						found = true
						if idx > 0 { // the key's second character: shifted
							shifted++
						}
						if d != lastDir {
							turns++
							lastDir = d
						}
						break
					}
				}
			}
			if found {
				j++
				continue
			}
			if j-i > 2 {
				ms = append(ms, match{i: i, j: j - 1, guesses: kb.guesses(j-i, turns, shifted)})
			}
			i = j
			break
		}
	}
	return ms
}

// guesses counts the walks of length l with up to the given turns, from
// any start, times the ways to shift its keys.
func (kb *keyboard) guesses(l, turns, shifted int) float64 {
	var g float64
	for i := 2; i <= l; i++ {
		for j := 1; j <= min(turns, i-1); j++ {
			g += nCk(i-1, j-1) * kb.starts * pow(kb.degree, j)
		}
	}
	if shifted > 0 {
		unshifted := l - shifted
		if unshifted == 0 {
			g *= 2
		} else {
			var v float64
			for i := 1; i <= min(shifted, unshifted); i++ {
				v += nCk(shifted+unshifted, i)
			}
			g *= v
		}
	}
	return g
}

func pow(x float64, n int) float64 {
	r := 1.0
	for range n {
		r *= x
	}
	return r
}
