package tags

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	got, err := Parse([]string{"app", "docker.io/library/app:latest", "reg.example:5000/x/y:1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Name() != "index.docker.io/library/app:latest" || got[1].Name() != "reg.example:5000/x/y:1" {
		t.Errorf("Parse = %v", got)
	}
	if _, err := Parse([]string{"ok", "Bad Tag!"}); err == nil || !strings.HasPrefix(err.Error(), `invalid tag "Bad Tag!": `) {
		t.Errorf("bad tag: %v", err)
	}
	if got, err := Parse(nil); err != nil || len(got) != 0 {
		t.Errorf("Parse(nil) = %v, %v", got, err)
	}
}
