package bake

import (
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

// addGroup stores a declared group; a later declaration of the same name
// replaces the earlier one, in one file or across files, as buildx's
// decoder does.
func (c *Config) addGroup(g *Group) {
	g.Targets = dedup(g.Targets)
	c.groups[g.Name] = g
}

// addImplied adds a group buildx derives rather than reads (a matrix
// block's label, compose's default): implied groups of one name merge, and
// a declared group of that name always wins.
func (c *Config) addImplied(g *Group) {
	prev, ok := c.groups[g.Name]
	if !ok {
		g.implied = true
		c.addGroup(g)
		return
	}
	if prev.implied {
		prev.Targets = dedup(append(prev.Targets, g.Targets...))
	}
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
