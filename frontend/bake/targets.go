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
func (e *evaluator) evalBlock(b *hcl.Block) ([]*Target, hcl.Diagnostics) {
	content, diags := b.Body.Content(targetSchema)
	if diags.HasErrors() {
		return nil, diags
	}
	combos, diags := e.matrix(content.Attributes["matrix"])
	if diags.HasErrors() {
		return nil, diags
	}
	out, d := e.decodeCombos(b, content, combos)
	diags = append(diags, d...)
	if content.Attributes["matrix"] != nil && !diags.HasErrors() {
		e.c.addRenamed(b, out)
	}
	return out, diags
}

// decodeCombos decodes the block once per matrix combination, refusing a
// name generated twice.
func (e *evaluator) decodeCombos(b *hcl.Block, content *hcl.BodyContent, combos []map[string]cty.Value) ([]*Target, hcl.Diagnostics) {
	var out []*Target
	var diags hcl.Diagnostics
	seen := map[string]bool{}
	for _, locals := range combos {
		t, d := e.decodeTarget(b, content, locals)
		diags = append(diags, d...)
		if t == nil {
			continue
		}
		if seen[t.Name] {
			return nil, append(diags, duplicateName(b, content, t.Name))
		}
		seen[t.Name] = true
		out = append(out, t)
	}
	return out, diags
}

// duplicateName reports a matrix that names two targets alike, as buildx
// refuses it (a matrix without "name" names every combination by its label).
func duplicateName(b *hcl.Block, content *hcl.BodyContent, name string) *hcl.Diagnostic {
	rng := content.Attributes["matrix"].Expr.Range()
	if a := content.Attributes["name"]; a != nil {
		rng = a.Expr.Range()
	}
	return errorf(&rng, "Duplicate target name",
		"matrix of target %q generates %q more than once; give each combination its own name", b.Labels[0], name)
}

// addRenamed makes a matrix block's label a group of the targets it
// generated, unless they all kept the label as their name.
func (c *Config) addRenamed(b *hcl.Block, ts []*Target) {
	var names []string
	for _, t := range ts {
		names = append(names, t.Name)
	}
	names = dedup(names)
	if len(names) != 1 || names[0] != b.Labels[0] {
		c.addGroup(&Group{Name: b.Labels[0], Targets: names, DefRange: b.DefRange})
	}
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

// needTarget evaluates the target a target.NAME.attr traversal refers to.
func (e *evaluator) needTarget(tr hcl.Traversal) hcl.Diagnostics {
	rng := tr.SourceRange()
	if len(tr) < 2 {
		return hcl.Diagnostics{errorf(&rng, "Invalid target reference", "expected target.<name>.<attribute>")}
	}
	name := stepName(tr[1])
	if _, ok := e.targetBlocks[name]; !ok {
		return hcl.Diagnostics{errorf(&rng, "Unknown target",
			"There is no target named %q.%s", name, didYouMean(name, e.labels))}
	}
	return e.evalLabel(name, &rng)
}

// stepName is the name a traversal step spells: .name or ["name"]; other
// steps name nothing ("").
func stepName(step hcl.Traverser) string {
	switch s := step.(type) {
	case hcl.TraverseAttr:
		return s.Name
	case hcl.TraverseIndex:
		if s.Key.Type() == cty.String {
			return s.Key.AsString()
		}
	}
	return ""
}

// targetObject is the value ${target.name} evaluates to.
func targetObject(t *Target) cty.Value {
	attrs := map[string]cty.Value{"name": cty.StringVal(t.Name)}
	for _, f := range fields {
		if v, ok := fieldValue(t, f); ok {
			attrs[f.name] = v
		}
	}
	return cty.ObjectVal(attrs)
}

// fieldValue is a set attribute as a cty value.
func fieldValue(t *Target, f field) (cty.Value, bool) {
	switch f.kind {
	case kString:
		if p := *f.str(t); p != nil {
			return cty.StringVal(*p), true
		}
	case kBool:
		if p := *f.boolp(t); p != nil {
			return cty.BoolVal(*p), true
		}
	case kList:
		return listValue(*f.list(t))
	case kMap:
		return mapValue(*f.smap(t))
	}
	return cty.NilVal, false
}

func listValue(l []string) (cty.Value, bool) {
	if l == nil {
		return cty.NilVal, false
	}
	if len(l) == 0 {
		return cty.ListValEmpty(cty.String), true
	}
	vals := make([]cty.Value, len(l))
	for i, s := range l {
		vals[i] = cty.StringVal(s)
	}
	return cty.ListVal(vals), true
}

func mapValue(m map[string]*string) (cty.Value, bool) {
	if m == nil {
		return cty.NilVal, false
	}
	vals := stringVals(m)
	if len(vals) == 0 {
		return cty.MapValEmpty(cty.String), true
	}
	return cty.MapVal(vals), true
}

// stringVals converts m's set values to cty strings, dropping nil ones.
func stringVals(m map[string]*string) map[string]cty.Value {
	vals := map[string]cty.Value{}
	for k, v := range m {
		if v != nil {
			vals[k] = cty.StringVal(*v)
		}
	}
	return vals
}
