package evidence

import (
	"errors"
	"net/http"
	"testing"
	"unicode"

	"github.com/dongnai/presswatch/store"
)

// TestNoteInEnglish: every note Classify writes reads in English for the
// English UI, and as written in Vietnamese.
func TestNoteInEnglish(t *testing.T) {
	last := &store.Snapshot{Title: "T", Text: "one two three"}
	notes := map[string]string{}
	add := func(_, note string) { notes[note] = "" }
	add(Classify(nil, "https://x.example/a", "", 0, errors.New("dial tcp: refused"), "", ""))
	add(Classify(last, "https://x.example/a", "", http.StatusNotFound, nil, "", ""))
	add(Classify(last, "https://x.example/a", "https://x.example/", http.StatusOK, nil, "T", "x"))
	add(Classify(last, "https://x.example/a", "", http.StatusServiceUnavailable, nil, "", ""))
	add(Classify(nil, "https://x.example/a", "", http.StatusOK, nil, "T", "one two three"))
	add(Classify(last, "https://x.example/a", "", http.StatusOK, nil, "T", "one two three"))
	add(Classify(last, "https://x.example/a", "", http.StatusOK, nil, "T", "one two four five"))
	add(Classify(last, "https://x.example/a", "", http.StatusOK, nil, "T", "Correction: one two three"))
	notes["Luận điểm “Phà Cát Lái bị đình chỉ” lặp lại trong bài “Ferry” (Outlet) https://x.example/b"] = ""
	notes["Không thấy thay đổi sau lần kiểm tra cuối."] = ""
	if len(notes) < 9 {
		t.Fatalf("only %d distinct notes: the cases do not cover Classify's kinds", len(notes))
	}
	vietnamese := func(s string) bool {
		for _, r := range s {
			if r > unicode.MaxLatin1 && unicode.IsLetter(r) && r != '“' && r != '”' {
				return true
			}
		}
		return false
	}
	for note := range notes {
		en := NoteIn("en", note)
		if en == note || vietnamese(stripQuoted(en)) {
			t.Errorf("%q in English: %q", note, en)
		}
		if NoteIn("vi", note) != note {
			t.Errorf("%q changed for Vietnamese", note)
		}
	}
}

// stripQuoted removes what is between “ and ”: quoted text stays as written.
func stripQuoted(s string) string {
	var out []rune
	in := false
	for _, r := range s {
		switch {
		case r == '“':
			in = true
		case r == '”':
			in = false
		case !in:
			out = append(out, r)
		}
	}
	return string(out)
}
