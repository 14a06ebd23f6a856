package bake

import (
	"strings"
	"testing"
)

const listSrc = `variable "TAG" {
  default = "latest"
  description = "image tag"
}
variable "PORTS" {
  type = list(number)
  default = [80, 443]
}
variable "UNSET" {
  default = null
}
GLOBAL = "x"
target "app" { description = "the app" }
target "_private" {}
target "db" {}
group "default" {
  description = "all"
  targets = ["db", "app"]
}
`

// TestListTargets: buildx's --list=targets table and JSON: sorted, private
// targets hidden, groups described by their sorted members.
func TestListTargets(t *testing.T) {
	c := loadHCL(t, listSrc, nil)
	var b strings.Builder
	if err := c.ListTargets(&b, "table"); err != nil {
		t.Fatal(err)
	}
	want := "TARGET\tDESCRIPTION\napp\tthe app\ndb\t\ndefault\tall (app, db)\n" // tab-padded, as buildx
	if got := b.String(); got != want {
		t.Errorf("table:\n%q\nwant\n%q", got, want)
	}
	b.Reset()
	if err := c.ListTargets(&b, "json"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"name": "default",`+"\n"+`    "description": "all (app, db)",`+"\n"+`    "group": true`) {
		t.Errorf("json:\n%s", b.String())
	}
}

// TestListVariables: declared variables with type, value and description;
// top-level attributes and builtins are not variables.
func TestListVariables(t *testing.T) {
	c := loadHCL(t, listSrc, map[string]string{"TAG": "v2"})
	var b strings.Builder
	if err := c.ListVariables(&b, "table"); err != nil {
		t.Fatal(err)
	}
	want := "VARIABLE\tTYPE\t\tVALUE\t\tDESCRIPTION\nPORTS\t\tlist of number\t[80,443]\t\nTAG\t\t\t\tv2\t\timage tag\nUNSET\t\t\t\t<null>\t\t\n"
	if got := b.String(); got != want {
		t.Errorf("table:\n%q\nwant\n%q", got, want)
	}
}
