package testenv

import (
	"os"
	"testing"
)

// DirNames lists the names in dir (sorted, hidden ones included), failing
// the test when dir cannot be read.
func DirNames(t testing.TB, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	names := []string{}
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

// ReadString returns the content of the file p, or "<missing>" when it
// cannot be read.
func ReadString(t testing.TB, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		return "<missing>"
	}
	return string(b)
}
