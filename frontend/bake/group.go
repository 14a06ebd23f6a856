package bake

import (
	"maps"
	"sort"

	"github.com/hashicorp/hcl/v2"
)

var groupSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "targets", Required: true}, {Name: "description"}}}

// evalGroup evaluates a group block and merges it into the config.
func (e *evaluator) evalGroup(b *hcl.Block) hcl.Diagnostics {
	content, diags := b.Body.Content(groupSchema)
	if diags.HasErrors() {
		return diags
	}
	g := &Group{Name: b.Labels[0], DefRange: b.DefRange}
	if !nameRE.MatchString(g.Name) {
		return hcl.Diagnostics{errorf(b.LabelRanges[0].Ptr(), "Invalid group name",
			"%q: only letters, digits, \"_\" and \"-\" are allowed", g.Name)}
	}
	targets := content.Attributes["targets"]
	if g.Targets, diags = evalAs(e, targets, nil, toStrings); diags.HasErrors() {
		return diags
	}
	g.listAt(targets.Expr.Range())
	if d := content.Attributes["description"]; d != nil {
		if g.Description, diags = evalAs(e, d, nil, toString); diags.HasErrors() {
			return diags
		}
	}
	e.c.addGroup(g)
	return nil
}

// addGroup merges g into the group of the same name: new targets are
// appended, a description replaces the earlier one.
func (c *Config) addGroup(g *Group) {
	prev, ok := c.groups[g.Name]
	if !ok {
		g.Targets = dedup(g.Targets)
		c.groups[g.Name] = g
		return
	}
	prev.Targets = dedup(append(prev.Targets, g.Targets...))
	prev.keepListed(g.listedAt)
	if g.Description != "" {
		prev.Description = g.Description
	}
}

// keepListed adds the locations of members g does not know yet.
func (g *Group) keepListed(listed map[string]hcl.Range) {
	merged := map[string]hcl.Range{}
	maps.Copy(merged, listed)
	maps.Copy(merged, g.listedAt)
	g.listedAt = merged
}

// groupNames lists group names, sorted.
func (c *Config) groupNames() []string {
	names := sortedKeys(c.groups)
	sort.Strings(names)
	return names
}

// listAt records rng as where each of g's members is listed.
func (g *Group) listAt(rng hcl.Range) {
	g.listedAt = map[string]hcl.Range{}
	for _, t := range g.Targets {
		g.listedAt[t] = rng
	}
}
