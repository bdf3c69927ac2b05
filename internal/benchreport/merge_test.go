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

// Two machines that both call themselves "AMD EPYC" are told apart by family,
// model and clock; only the first processor's block is read.
func TestDescribeCPU(t *testing.T) {
	cpuinfo := "processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 26\nmodel\t\t: 2\nmodel name\t: AMD EPYC\nstepping\t: 1\ncpu MHz\t\t: 2694.863\n\n" +
		"processor\t: 1\ncpu family\t: 25\nmodel\t\t: 1\nmodel name\t: Other\ncpu MHz\t\t: 1000.000\n"
	if got, want := describeCPU(cpuinfo), "AMD EPYC, family 26 model 2, 2.69 GHz"; got != want {
		t.Errorf("describeCPU = %q, want %q", got, want)
	}
	// An ARM machine's file has no model name, family or MHz lines.
	if got, want := describeCPU("processor\t: 0\nBogoMIPS\t: 50.00\nCPU implementer\t: 0x41\n"), "unknown CPU"; got != want {
		t.Errorf("describeCPU(arm) = %q, want %q", got, want)
	}
}
