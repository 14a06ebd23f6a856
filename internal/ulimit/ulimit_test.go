package ulimit

import (
	"slices"
	"testing"
)

func TestParse(t *testing.T) {
	ls, err := Parse([]string{"nproc=100", "nofile=1024:2048", "nproc=50:60"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := Strings(ls), []string{"nofile=1024:2048", "nproc=50:60"}; !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	if ls[0].Resource != 7 || ls[1].Resource != 6 {
		t.Fatalf("resources %d %d", ls[0].Resource, ls[1].Resource)
	}
	for _, bad := range []string{"nofile", "files=1", "nofile=2:1", "nofile=x"} {
		if _, err := Parse([]string{bad}); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
}

func TestShmSize(t *testing.T) {
	for in, want := range map[string]int64{"": 0, "128m": 128 << 20, "1g": 1 << 30, "4096": 4096} {
		if got, err := ShmSize(in); err != nil || got != want {
			t.Errorf("ShmSize(%q) = %d, %v", in, got, err)
		}
	}
	for _, bad := range []string{"0", "-1m", "lots", "2t"} {
		if _, err := ShmSize(bad); err == nil {
			t.Errorf("ShmSize(%q) accepted", bad)
		}
	}
}
