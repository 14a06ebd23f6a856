package bake

import (
	"slices"
	"testing"
)

// resolveNames loads src and returns the names Resolve gives for req.
func resolveNames(t *testing.T, src string, req ...string) []string {
	t.Helper()
	ts, err := loadHCL(t, src, nil).Resolve(req)
	if err != nil {
		t.Fatal(err)
	}
	return names(ts)
}

// TestGroupDeclaredTwiceInOneFile: buildx's decoder replaces a group by its
// later declaration; it does not merge the member lists.
func TestGroupDeclaredTwiceInOneFile(t *testing.T) {
	src := `target "a" {}
target "b" {}
group "default" { targets = ["a"] }
group "default" { targets = ["b"] }`
	if got := resolveNames(t, src); !slices.Equal(got, []string{"b"}) {
		t.Errorf("default = %q, want [b]", got)
	}
}

// TestDeclaredGroupBeatsMatrixLabel: a matrix block's label becomes a group
// of its targets unless a group of that name is declared, before or after.
func TestDeclaredGroupBeatsMatrixLabel(t *testing.T) {
	matrix := `target "app" {
  name = "app-${v}"
  matrix = { v = ["1", "2"] }
}
target "other" {}
`
	for _, src := range []string{
		matrix + `group "app" { targets = ["other"] }`,
		`group "app" { targets = ["other"] }` + "\n" + matrix,
	} {
		if got := resolveNames(t, src, "app"); !slices.Equal(got, []string{"other"}) {
			t.Errorf("app = %q, want [other]\n%s", got, src)
		}
	}
	if got := resolveNames(t, matrix, "app"); !slices.Equal(got, []string{"app-1", "app-2"}) {
		t.Errorf("undeclared app = %q, want the matrix targets", got)
	}
}

// TestMatrixBlocksOfOneLabelMerge: two matrix blocks of one label make one
// group of all their targets, as buildx's renamed list.
func TestMatrixBlocksOfOneLabelMerge(t *testing.T) {
	src := `target "app" {
  name = "app-${v}"
  matrix = { v = ["1"] }
}
target "app" {
  name = "app-${v}"
  matrix = { v = ["2"] }
}`
	if got := resolveNames(t, src, "app"); !slices.Equal(got, []string{"app-1", "app-2"}) {
		t.Errorf("app = %q", got)
	}
}
