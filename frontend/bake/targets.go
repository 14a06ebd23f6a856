package bake

import (
	"regexp"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// nameRE is what buildx allows in target and group names.
var nameRE = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)

// targetSchema lists every attribute a target block may set.
var targetSchema = func() *hcl.BodySchema {
	s := &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "inherits"}, {Name: "matrix"}, {Name: "name"}}}
	for _, f := range fields {
		s.Attributes = append(s.Attributes, hcl.AttributeSchema{Name: f.name})
	}
	return s
}()

// evalLabel evaluates every block labelled name, once; ref is the
// reference that asked for it, if any.
func (e *evaluator) evalLabel(name string, ref *hcl.Range) hcl.Diagnostics {
	if _, ok := e.targetVals[name]; ok {
		return nil
	}
	if e.busy["target."+name] {
		return hcl.Diagnostics{errorf(ref, "Target cycle", "target %q refers to itself", name)}
	}
	e.busy["target."+name] = true
	defer delete(e.busy, "target."+name)
	diags := e.evalBlocks(name)
	e.targetVals[name] = cty.EmptyObjectVal
	if own := e.c.targets[name]; own != nil {
		e.targetVals[name] = targetObject(own)
	}
	return diags
}

// evalBlocks evaluates the blocks labelled name and adds their targets to
// the config.
func (e *evaluator) evalBlocks(name string) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, b := range e.targetBlocks[name] {
		ts, d := e.evalBlock(b)
		diags = append(diags, d...)
		for _, t := range ts {
			e.c.add(t)
		}
	}
	return diags
}

// add merges t into the config's target of the same name.
func (c *Config) add(t *Target) {
	if prev, ok := c.targets[t.Name]; ok {
		prev.merge(t)
		return
	}
	c.targets[t.Name] = t
	c.order = append(c.order, t.Name)
}

// evalBlock evaluates one target block into one target per matrix entry.
// Attributes it does not know are ignored, not evaluated, as buildx's
// decoder reads target bodies partially (newer buildx attributes, typos).
func (e *evaluator) evalBlock(b *hcl.Block) ([]*Target, hcl.Diagnostics) {
	content, remain, diags := b.Body.PartialContent(targetSchema)
	if diags.HasErrors() {
		return nil, diags
	}
	later := e.c.warnUnknown(remain)
	combos, diags := e.matrix(content.Attributes["matrix"])
	if diags.HasErrors() {
		return nil, diags
	}
	out, d := e.decodeCombos(b, content, combos)
	diags = append(diags, d...)
	for _, t := range out {
		for _, a := range later {
			t.setRange(a.Name, a.Range)
		}
	}
	if content.Attributes["matrix"] != nil && !diags.HasErrors() {
		e.c.addRenamed(b, out)
	}
	return out, diags
}

// decodeTarget evaluates a target block's attributes with matrix values bound.
func (e *evaluator) decodeTarget(b *hcl.Block, content *hcl.BodyContent, locals map[string]cty.Value) (*Target, hcl.Diagnostics) {
	name, diags := e.targetName(b, content.Attributes["name"], locals)
	if diags.HasErrors() {
		return nil, diags
	}
	t := &Target{Name: name, DefRange: b.DefRange}
	for _, attrName := range sortedKeys(content.Attributes) {
		diags = append(diags, e.decodeAttr(t, content.Attributes[attrName], locals)...)
	}
	return t, diags
}

// decodeAttr evaluates one target attribute into t.
func (e *evaluator) decodeAttr(t *Target, a *hcl.Attribute, locals map[string]cty.Value) hcl.Diagnostics {
	switch a.Name {
	case "matrix", "name":
		return nil
	case "inherits":
		return e.decodeInherits(t, a, locals)
	}
	val, diags := e.eval(a.Expr, locals)
	if diags.HasErrors() {
		return diags
	}
	return setField(t, fieldByName[a.Name], a, val)
}

// targetName is the name attribute's value, else the block label.
func (e *evaluator) targetName(b *hcl.Block, a *hcl.Attribute, locals map[string]cty.Value) (string, hcl.Diagnostics) {
	name, rng := b.Labels[0], b.LabelRanges[0]
	if a != nil {
		var diags hcl.Diagnostics
		if name, diags = evalAs(e, a, locals, toString); diags.HasErrors() {
			return "", diags
		}
		rng = a.Expr.Range()
	}
	if !nameRE.MatchString(name) {
		return "", hcl.Diagnostics{errorf(&rng, "Invalid target name",
			"%q: only letters, digits, \"_\" and \"-\" are allowed", name)}
	}
	return name, nil
}

func (e *evaluator) decodeInherits(t *Target, a *hcl.Attribute, locals map[string]cty.Value) hcl.Diagnostics {
	list, diags := evalAs(e, a, locals, toStrings)
	t.inherits = append(t.inherits, list...)
	t.setRange("inherits", a.Range)
	return diags
}
