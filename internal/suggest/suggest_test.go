package suggest

import (
	"errors"
	"testing"
)

func TestClosest(t *testing.T) {
	cases := []struct {
		name  string
		cands []string
		sens  bool
		want  string
	}{
		{"tgas", []string{"tags", "args"}, true, "tags"},
		{"ab", []string{"ba", "ab2"}, true, "ab2"}, // distance 1 beats 2
		{"xy", []string{"xa", "ay"}, true, "ay"},   // a tie goes to the first sorted
		{"build", []string{"zzzzzz"}, true, ""},
		{"x", nil, true, ""},
		{"", []string{"a"}, true, ""},
		{"production", []string{"prod"}, true, ""}, // three or more edits: no suggestion
		{"BUIDL", []string{"build"}, false, "BUILD"},
		{"Build", []string{"build"}, false, ""}, // same name ignoring case
	}
	for _, tc := range cases {
		if got, ok := Closest(tc.name, tc.cands, tc.sens); got != tc.want || ok != (tc.want != "") {
			t.Errorf("Closest(%q, %q) = %q, %v; want %q", tc.name, tc.cands, got, ok, tc.want)
		}
	}
}

func TestWrap(t *testing.T) {
	base := errors.New("stage not found")
	err := Wrap(base, "buidl", []string{"test", "build"}, false)
	if !errors.Is(err, base) || err.Error() != "stage not found (did you mean build?)" {
		t.Errorf("Wrap = %v", err)
	}
	if err := Wrap(base, "zzz", []string{"build"}, false); err != base {
		t.Errorf("Wrap without a close name = %v", err)
	}
}
