package web

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckPassword(t *testing.T) {
	gen, err := NewPassword()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		pw, user string
		key      string // "" = accepted
	}{
		{"aaaaaaaaaa", "", "pw_too_short"},
		{"aaaaaaaaaaaa", "", "pw_too_weak"},
		{"aaaaaaaaaaaaaaaaaaaaaaaa", "", "pw_too_weak"},
		{"123456789012", "", "pw_too_weak"},
		{"qwertyuiopasdf", "", "pw_too_weak"},
		{"password1234", "", "pw_too_weak"},
		{"dongnai2026!", "", "pw_too_weak"},
		// A word, a year and symbols: the first guesses (an outside attack test).
		{"dongnai2026!!", "", "pw_too_weak"},
		{"Dongnai@2026!", "", "pw_too_weak"},
		{"BienHoa2026!!", "", "pw_too_weak"},
		{"Vietnam@2026", "", "pw_too_weak"},
		{"Summer2026!!", "", "pw_too_weak"},
		{"kR7#pQ2!vX9m", "", ""},
		{"mèo đen ăn cơm", "", ""},
		{"nguyenvanlan1", "nguyenvanlan", "pw_too_weak"},
		{"tab\there-long-enough", "", "pw_bad_chars"},
		{"nul\x00byte-long-enough", "", "pw_bad_chars"},
		{strings.Repeat("xY7#", 70), "", "pw_too_long"},
		{gen, "", ""},
		{"correct horse battery", "", ""},
		{"Tôi thích ăn phở bò ở Biên Hòa", "", ""},
		{"mây trắng bay qua núi Chứa Chan", "lan", ""},
	} {
		err := CheckPassword(tc.pw, tc.user)
		if tc.key == "" {
			if err != nil {
				t.Errorf("CheckPassword(%q) = %v, want accepted", tc.pw, err)
			}
			continue
		}
		var pe *PasswordError
		if !errors.As(err, &pe) || pe.Key != tc.key || !errors.Is(err, ErrWeakPassword) {
			t.Errorf("CheckPassword(%q) = %v, want %s", tc.pw, err, tc.key)
		}
	}
	// Messages are Vietnamese first, with the bound filled in.
	err = CheckPassword("ngắn quá")
	if msg := err.Error(); !strings.HasPrefix(msg, "Mật khẩu quá ngắn: cần ít nhất 12 ký tự.") || !strings.Contains(msg, "at least 12 characters") {
		t.Errorf("message = %q", msg)
	}
}
