package bake

import (
	"slices"

	"github.com/hashicorp/hcl/v2"
)

// newerAttrs are target attributes of newer buildx releases that Stencil
// does not implement: set, they are refused before building (see
// unsupported), never ignored.
var newerAttrs = []string{"resources", "policy"}

// warnUnknown records a warning for each attribute of a target body that
// no target attribute matches: buildx ignores them, and so does Stencil,
// but a typo should not pass unnoticed. It returns the newerAttrs set.
func (c *Config) warnUnknown(remain hcl.Body) []Attr {
	attrs, _ := remain.JustAttributes()
	names := targetAttributeNames()
	var later []Attr
	for _, a := range attrs {
		if slices.Contains(newerAttrs, a.Name) {
			later = append(later, Attr{Name: a.Name, Range: a.Range})
			continue
		}
		c.warnings = append(c.warnings, &hcl.Diagnostic{Severity: hcl.DiagWarning, Subject: a.NameRange.Ptr(),
			Summary: "Unknown attribute ignored",
			Detail:  "target attribute " + `"` + a.Name + `"` + " is not known to stencil or buildx." + didYouMean(a.Name, names)})
	}
	return later
}

// targetAttributeNames are the attributes a target block may set.
func targetAttributeNames() []string {
	var names []string
	for _, a := range targetSchema.Attributes {
		names = append(names, a.Name)
	}
	return names
}

// Warnings are the located problems Load ignored as buildx does (unknown
// target attributes), one "file:line:col: summary; detail" line each, in
// file order.
func (c *Config) Warnings() []string {
	ws := slices.Clone(c.warnings)
	slices.SortStableFunc(ws, func(a, b *hcl.Diagnostic) int {
		if a.Subject.Filename != b.Subject.Filename {
			return 0
		}
		return a.Subject.Start.Byte - b.Subject.Start.Byte
	})
	lines := make([]string, len(ws))
	for i, d := range ws {
		lines[i] = formatDiag(d)
	}
	return lines
}
