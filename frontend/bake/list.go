package bake

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// Variable is a declared variable as buildx's --list=variables shows it.
type Variable struct {
	Name        string  `json:"name"`
	Description string  `json:"description,omitempty"`
	Type        string  `json:"type,omitempty"`
	Value       *string `json:"value,omitempty"`
}

// listVariables describes every variable block, sorted by name.
func (e *evaluator) listVariables() []Variable {
	var out []Variable
	for _, name := range sortedKeys(e.vars) {
		v := e.vars[name]
		if v.topLevel {
			continue // top-level attributes and builtins are not listed
		}
		lv := Variable{Name: name, Value: showValue(e.values[name], v.typ)}
		if v.typ != cty.NilType {
			lv.Type = v.typ.FriendlyNameForConstraint()
		}
		if v.desc != nil {
			lv.Description, _ = evalAs(e, v.desc, nil, toString)
		}
		out = append(out, lv)
	}
	return out
}

// Variable is the value of the declared variable name as --list shows
// it (an environment variable of that name overrides its default); ok is
// false when the files declare no such variable.
func (c *Config) Variable(name string) (value *string, ok bool) {
	for _, v := range c.vars {
		if v.Name == name {
			return v.Value, true
		}
	}
	return nil, false
}

// showValue is a variable's value as buildx lists it: primitives as text,
// other values (and typed ones) as JSON; nil for null.
func showValue(v cty.Value, typ cty.Type) *string {
	if v.IsNull() || !v.IsWhollyKnown() {
		return nil
	}
	if v.Type().IsPrimitiveType() && (typ == cty.NilType || typ.IsPrimitiveType()) {
		if s, err := convert.Convert(v, cty.String); err == nil {
			str := s.AsString()
			return &str
		}
	}
	b, err := ctyjson.Marshal(v, v.Type())
	if err != nil {
		return nil
	}
	s := string(b)
	return &s
}

// ListVariables writes the variables as buildx's --list=variables does:
// a VARIABLE/TYPE/VALUE/DESCRIPTION table, or JSON.
func (c *Config) ListVariables(w io.Writer, format string) error {
	if format == "json" {
		return encodeIndented(w, orEmpty(c.vars))
	}
	tw := tabwriter.NewWriter(w, 1, 8, 1, '\t', 0)
	fmt.Fprintln(tw, "VARIABLE\tTYPE\tVALUE\tDESCRIPTION")
	for _, v := range c.vars {
		value := "<null>"
		if v.Value != nil {
			value = *v.Value
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", v.Name, v.Type, value, v.Description)
	}
	return tw.Flush()
}

// listed is one row of --list=targets.
type listed struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Group       bool   `json:"group,omitempty"`
}

// ListTargets writes targets and groups as buildx's --list=targets does:
// sorted by name, private ("_"-prefixed) ones left out, a group described
// by its members; a TARGET/DESCRIPTION table, or JSON.
func (c *Config) ListTargets(w io.Writer, format string) error {
	rows := c.listed()
	if format == "json" {
		return encodeIndented(w, rows) // none is null, as buildx
	}
	tw := tabwriter.NewWriter(w, 1, 8, 1, '\t', 0)
	fmt.Fprintln(tw, "TARGET\tDESCRIPTION")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\n", r.Name, r.Description)
	}
	return tw.Flush()
}

func (c *Config) listed() []listed {
	var rows []listed
	for _, name := range c.order {
		rows = append(rows, listed{Name: name, Description: deref0(c.targets[name].Description)})
	}
	for _, g := range c.groups {
		rows = append(rows, listed{Name: g.Name, Description: groupDescription(g), Group: true})
	}
	slices.SortStableFunc(rows, func(a, b listed) int { return cmp.Compare(a.Name, b.Name) })
	return slices.DeleteFunc(rows, func(r listed) bool { return strings.HasPrefix(r.Name, "_") })
}

// groupDescription is a group's description followed by its sorted members.
func groupDescription(g *Group) string {
	if len(g.Targets) == 0 {
		return g.Description
	}
	names := strings.Join(slices.Sorted(slices.Values(g.Targets)), ", ")
	if g.Description == "" {
		return names
	}
	return g.Description + " (" + names + ")"
}

// Names lists every target and group name, sorted (for shell completion).
func (c *Config) Names() []string {
	var names []string
	for _, r := range c.listed() {
		names = append(names, r.Name)
	}
	return names
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func encodeIndented(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
