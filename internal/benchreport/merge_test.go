package main

import "testing"

// A rerun of one section (-only) replaces that section, appends a section the
// old file lacked, keeps the others in their order, and keeps the old head: the
// head's date and load are those of the full run the untouched sections came from.
func TestMergeSectionsKeepsHeadOfFullRun(t *testing.T) {
	old := "# Benchmarks\n\n- Date: full run\n\n## A\nold a\n\n## B\nold b\n"
	fresh := "# Benchmarks\n\n- Date: rerun\n\n## B\n**Run:** rerun\nnew b\n\n## C\nnew c\n"
	got := string(mergeSections([]byte(old), []byte(fresh)))
	want := "# Benchmarks\n\n- Date: full run\n\n## A\nold a\n\n## B\n**Run:** rerun\nnew b\n\n## C\nnew c\n"
	if got != want {
		t.Fatalf("merged:\n%s\nwant:\n%s", got, want)
	}
}

func TestWithRunLineUnderEveryHeading(t *testing.T) {
	got := withRunLine("## A\n\ntext a\n## B\ntext b\n", "**Run:** x")
	want := "## A\n\n**Run:** x\n\ntext a\n## B\n\n**Run:** x\ntext b\n"
	if got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}
