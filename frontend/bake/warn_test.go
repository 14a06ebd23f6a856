package bake

import (
	"slices"
	"testing"
)

// TestUnknownAttributeIgnoredWithWarning: as buildx, a target attribute
// nobody knows is ignored (not even evaluated), in HCL and JSON; Stencil
// warns with its location and the nearest name.
func TestUnknownAttributeIgnoredWithWarning(t *testing.T) {
	c := loadHCL(t, "target \"a\" {\n  tagz = [undefined_variable]\n  tags = [\"x\"]\n}\n", nil)
	tg := resolveOne(t, "target \"a\" {\n  tagz = [undefined_variable]\n  tags = [\"x\"]\n}\n", "a", nil)
	if !slices.Equal(tg.Tags, []string{"x"}) {
		t.Errorf("tags %q", tg.Tags)
	}
	want := []string{`docker-bake.hcl:2:3: Unknown attribute ignored; target attribute "tagz" is not known to stencil or buildx. Did you mean "tags"?`}
	if got := c.Warnings(); !slices.Equal(got, want) {
		t.Errorf("warnings %q, want %q", got, want)
	}
	dir := writeFiles(t, map[string]string{"docker-bake.json": `{"target": {"t": {"colour": "blue"}}}`})
	j, err := Load(Options{Dir: dir})
	if err != nil || len(j.Warnings()) != 1 {
		t.Errorf("json: %v, warnings %q", err, j.Warnings())
	}
}

// TestNewerBuildxAttributesRefused: attributes of newer buildx releases
// Stencil lacks are not ignored: they are unsupported, at their location,
// inherited too.
func TestNewerBuildxAttributesRefused(t *testing.T) {
	c := loadHCL(t, "target \"base\" {\n  resources = { memory = \"1g\" }\n}\ntarget \"a\" {\n  inherits = [\"base\"]\n}\n", nil)
	ts, err := c.Resolve([]string{"a"})
	if err != nil {
		t.Fatal(err)
	}
	got := ts[0].UnsupportedAttrs()
	if len(got) != 1 || got[0].Name != "resources" || got[0].Range.Start.Line != 2 || len(c.Warnings()) != 0 {
		t.Errorf("unsupported %v, warnings %q", got, c.Warnings())
	}
}
