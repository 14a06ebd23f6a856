package bake

import (
	"maps"
	"slices"
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// evaluator evaluates the blocks of all files against one shared scope:
// variables are resolved on first use, targets referenced as
// ${target.name.attr} are evaluated before the referring target.
type evaluator struct {
	c      *Config
	env    func(string) (string, bool)
	vars   map[string]*variable
	values map[string]cty.Value
	busy   map[string]bool // variables and targets being evaluated
	funcs  map[string]function.Function

	targetBlocks map[string][]*hcl.Block // by label, in file order
	targetVals   map[string]cty.Value    // evaluated targets, for references
	labels       []string                // target labels in file order

	depth, calls int   // user function call depth and total calls
	overflow     error // set once a call limit is hit; every call then fails
	stack        []string
}

var topSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
	{Type: "variable", LabelNames: []string{"name"}},
	{Type: "function", LabelNames: []string{"name"}},
	{Type: "group", LabelNames: []string{"name"}},
	{Type: "target", LabelNames: []string{"name"}},
}}

// evaluate turns parsed files into a Config of merged, unresolved targets.
func evaluate(files []*hcl.File, env func(string) (string, bool)) (*Config, hcl.Diagnostics) {
	e := newEvaluator(env)
	groups, diags := e.collectAll(files)
	e.addBuiltins()
	if diags.HasErrors() {
		return nil, diags
	}
	if diags = e.resolveAllVars(); diags.HasErrors() {
		return nil, diags
	}
	e.c.vars = e.listVariables()
	return e.c, e.evalGroupsAndTargets(groups)
}

// collectAll collects every file's declarations, adds the user functions
// and returns the group blocks.
func (e *evaluator) collectAll(files []*hcl.File) ([]*hcl.Block, hcl.Diagnostics) {
	var groups, funcs []*hcl.Block
	var diags hcl.Diagnostics
	for _, f := range files {
		g, fn, d := e.collect(f)
		groups, funcs, diags = append(groups, g...), append(funcs, fn...), append(diags, d...)
	}
	return groups, append(diags, e.addFunctions(funcs)...)
}

// evalGroupsAndTargets evaluates the group blocks, then every target label
// in file order.
func (e *evaluator) evalGroupsAndTargets(groups []*hcl.Block) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, b := range groups {
		diags = append(diags, e.evalGroup(b)...)
	}
	for _, l := range e.labels {
		diags = append(diags, e.evalLabel(l, nil)...)
	}
	return diags
}

func newEvaluator(env func(string) (string, bool)) *evaluator {
	return &evaluator{
		c:   &Config{targets: map[string]*Target{}, groups: map[string]*Group{}},
		env: env, vars: map[string]*variable{}, values: map[string]cty.Value{},
		busy: map[string]bool{}, targetBlocks: map[string][]*hcl.Block{},
		targetVals: map[string]cty.Value{}, funcs: libraryFuncs(),
	}
}

// addBuiltins defines buildx's predefined variables; like buildx, they
// are reserved: declarations of the same name were skipped and the
// environment does not override them.
func (e *evaluator) addBuiltins() {
	for name, v := range builtinVars() {
		e.vars[name] = &variable{name: name, topLevel: true}
		e.values[name] = v
	}
}

// reserved reports whether name is one of buildx's builtin variables.
func reserved(name string) bool {
	_, ok := builtinVars()[name]
	return ok
}

// collect registers one file's variables and targets and returns its group
// and function blocks.
func (e *evaluator) collect(f *hcl.File) (groups, funcs []*hcl.Block, diags hcl.Diagnostics) {
	if diags = unknownBlocks(f.Body); diags.HasErrors() {
		return nil, nil, diags
	}
	content, remain, diags := f.Body.PartialContent(topSchema)
	if diags.HasErrors() {
		return nil, nil, diags
	}
	attrs, d := topAttributes(f.Body, remain)
	diags = append(diags, d...)
	for _, name := range sortedKeys(attrs) {
		if reserved(name) {
			continue
		}
		e.vars[name] = &variable{name: name, def: attrs[name], rng: attrs[name].Range, topLevel: true}
	}
	for _, b := range content.Blocks {
		diags = append(diags, e.register(b, &groups, &funcs)...)
	}
	return groups, funcs, diags
}

// register records a top-level block; groups and functions are evaluated later.
func (e *evaluator) register(b *hcl.Block, groups, funcs *[]*hcl.Block) hcl.Diagnostics {
	switch b.Type {
	case "variable":
		return e.addVariable(b)
	case "function":
		*funcs = append(*funcs, b)
	case "group":
		*groups = append(*groups, b)
	case "target":
		e.addTargetBlock(b)
	}
	return nil
}

// topAttributes are a file's top-level attributes, which act as variables.
func topAttributes(body, remain hcl.Body) (hcl.Attributes, hcl.Diagnostics) {
	sb, ok := body.(*hclsyntax.Body)
	if !ok {
		return remain.JustAttributes()
	}
	attrs := hcl.Attributes{}
	for name, a := range sb.Attributes {
		attrs[name] = a.AsHCLAttribute()
	}
	return attrs, nil
}

// unknownBlocks reports top-level blocks of unknown type with a suggestion.
func unknownBlocks(body hcl.Body) hcl.Diagnostics {
	sb, ok := body.(*hclsyntax.Body)
	if !ok {
		return nil
	}
	known := []string{"variable", "function", "group", "target"}
	var diags hcl.Diagnostics
	for _, b := range sb.Blocks {
		if !slices.Contains(known, b.Type) {
			r := b.TypeRange
			diags = append(diags, errorf(&r, "Unsupported block type",
				"Blocks of type %q are not expected here.%s", b.Type, didYouMean(b.Type, known)))
		}
	}
	return diags
}

func (e *evaluator) addTargetBlock(b *hcl.Block) {
	name := b.Labels[0]
	if _, ok := e.targetBlocks[name]; !ok {
		e.labels = append(e.labels, name)
	}
	e.targetBlocks[name] = append(e.targetBlocks[name], b)
}

// ctx is the evaluation context for expr: only the variables, targets and
// locals it refers to, so evaluating n targets stays linear in n.
func (e *evaluator) ctx(expr hcl.Expression, locals map[string]cty.Value) *hcl.EvalContext {
	vars, targets := map[string]cty.Value{}, map[string]cty.Value{}
	for _, tr := range expr.Variables() {
		root := tr.RootName()
		if v, ok := locals[root]; ok {
			vars[root] = v
		} else if v, ok := e.values[root]; ok {
			vars[root] = v
		} else if root == "target" && len(tr) > 1 {
			e.pickTarget(targets, stepName(tr[1]))
		}
	}
	if len(targets) > 0 {
		vars["target"] = cty.ObjectVal(targets)
	}
	e.c.cost += len(vars) + len(targets)
	return &hcl.EvalContext{Variables: vars, Functions: e.funcs}
}

// pickTarget adds the evaluated target name to dst, if there is one.
func (e *evaluator) pickTarget(dst map[string]cty.Value, name string) {
	if v, ok := e.targetVals[name]; ok {
		dst[name] = v
	}
}

// fullCtx is the whole scope, for error messages that suggest names.
func (e *evaluator) fullCtx(locals map[string]cty.Value) *hcl.EvalContext {
	vars := maps.Clone(e.values)
	if vars == nil {
		vars = map[string]cty.Value{}
	}
	if len(e.targetVals) > 0 {
		vars["target"] = cty.ObjectVal(e.targetVals)
	}
	maps.Copy(vars, locals)
	return &hcl.EvalContext{Variables: vars, Functions: e.funcs}
}

// eval resolves what expr refers to and evaluates it; locals shadow
// variables. A failure is evaluated again in the whole scope so that HCL
// can suggest the names it knows.
func (e *evaluator) eval(expr hcl.Expression, locals map[string]cty.Value) (cty.Value, hcl.Diagnostics) {
	if diags := e.need(expr, locals); diags.HasErrors() {
		return cty.DynamicVal, diags
	}
	val, diags := expr.Value(e.ctx(expr, locals))
	if diags.HasErrors() {
		return expr.Value(e.fullCtx(locals))
	}
	return val, diags
}

// need resolves the variables and targets expr refers to.
func (e *evaluator) need(expr hcl.Expression, locals map[string]cty.Value) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, tr := range expr.Variables() {
		diags = append(diags, e.needTraversal(tr, locals)...)
	}
	return diags
}

// needTraversal resolves the variable or target one traversal refers to;
// locals need nothing.
func (e *evaluator) needTraversal(tr hcl.Traversal, locals map[string]cty.Value) hcl.Diagnostics {
	root := tr.RootName()
	rng := tr.SourceRange()
	_, local := locals[root]
	switch {
	case local:
	case root == "target":
		return e.needTarget(tr)
	case e.vars[root] != nil:
		return e.resolveVar(root, &rng)
	}
	// Anything else is left to HCL, which reports unknown variables
	// (with a suggestion) unless try() or can() catches them.
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
