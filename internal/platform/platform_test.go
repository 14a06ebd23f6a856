package platform

import (
	"runtime"
	"strings"
	"testing"
)

func TestNative(t *testing.T) {
	p := Native()
	if p.OS != "linux" || p.Architecture != runtime.GOARCH || p.Variant != "" {
		t.Errorf("Native() = %+v", p)
	}
	if got, want := String(), "linux/"+runtime.GOARCH; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestMatches(t *testing.T) {
	native := "linux/" + runtime.GOARCH
	for _, p := range []string{"", native, " " + strings.ToUpper(native) + " "} {
		if !Matches(p) {
			t.Errorf("Matches(%q) = false", p)
		}
	}
	for _, p := range []string{"windows/" + runtime.GOARCH, "linux/s390x", "linux/riscv64", "nonsense/x/y/z"} {
		if Matches(p) {
			t.Errorf("Matches(%q) = true", p)
		}
	}
	if runtime.GOARCH == "amd64" && (!Matches("linux/x86_64") || !Matches("linux/amd64/v1") || Matches("linux/386")) {
		t.Error("amd64 spellings not normalised as BuildKit does")
	}
}
