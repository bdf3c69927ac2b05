package storetest

import (
	"context"
	"testing"

	"github.com/dongnai/presswatch/store"
)

// RunTranslations checks the translation cache: keys round-trip, the first
// translation of a key is kept, missing keys are absent, and many keys are
// read at once.
func RunTranslations(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	ts, ok := s.(store.TranslationStore)
	if !ok {
		t.Fatal("the store does not implement store.TranslationStore")
	}
	k1 := store.TranslationKey("ko", "vi", "동나이성 노동자 파업")
	k2 := store.TranslationKey("zh", "vi", "同奈省发生洪水")
	if k1 == k2 || len(k1) != 64 || store.TranslationKey("ko", "vi", "동나이성 노동자 파업") != k1 {
		t.Fatalf("keys %q %q", k1, k2)
	}
	if err := ts.PutTranslations(ctx, []store.Translation{
		{Key: k1, SourceLang: "ko", TargetLang: "vi", Translated: "Công nhân đình công ở tỉnh Đồng Nai"},
		{Key: k2, SourceLang: "zh", TargetLang: "vi", Translated: "Lũ lụt ở tỉnh Đồng Nai"},
		{Key: k2, SourceLang: "zh", TargetLang: "vi", Translated: "a duplicate in one batch"},
	}); err != nil {
		t.Fatal(err)
	}
	if err := ts.PutTranslations(ctx, []store.Translation{{Key: k1, SourceLang: "ko", TargetLang: "vi", Translated: "changed"}}); err != nil {
		t.Fatal(err)
	}
	got, err := ts.GetTranslations(ctx, []string{k1, k2, "missing"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[k1] != "Công nhân đình công ở tỉnh Đồng Nai" || got[k2] != "Lũ lụt ở tỉnh Đồng Nai" {
		t.Fatalf("got %q", got)
	}
	var many []store.Translation
	var keys []string
	for i := range 1200 {
		k := store.TranslationKey("en", "vi", string(rune('a'+i%26))+string(rune(0x4e00+i)))
		keys = append(keys, k)
		many = append(many, store.Translation{Key: k, SourceLang: "en", TargetLang: "vi", Translated: k[:8]})
	}
	if err := ts.PutTranslations(ctx, many); err != nil {
		t.Fatal(err)
	}
	got, err = ts.GetTranslations(ctx, keys)
	if err != nil || len(got) != 1200 || got[keys[1199]] != keys[1199][:8] {
		t.Fatalf("1200 keys: %d found, %v", len(got), err)
	}
	if got, err := ts.GetTranslations(ctx, nil); err != nil || len(got) != 0 {
		t.Fatalf("no keys: %v, %v", got, err)
	}
}
