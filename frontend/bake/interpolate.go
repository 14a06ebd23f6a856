package bake

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// interpolateNode expands ${VAR} references in every scalar.
func interpolateNode(n *yaml.Node, env func(string) (string, bool)) error {
	if n.Kind == yaml.ScalarNode {
		v, err := interpolate(n.Value, env)
		if err != nil {
			return fmt.Errorf("line %d: %w", n.Line, err)
		}
		n.Value = v
		return nil
	}
	for _, c := range n.Content {
		if err := interpolateNode(c, env); err != nil {
			return err
		}
	}
	return nil
}

// interpolate expands compose's $VAR, ${VAR}, ${VAR:-def}, ${VAR-def},
// ${VAR:?err}, ${VAR?err} and $$.
func interpolate(s string, env func(string) (string, bool)) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		n, val, err := expandAt(s[i+1:], env)
		if err != nil {
			return "", err
		}
		b.WriteString(val)
		i += n
	}
	return b.String(), nil
}

// expandAt expands the reference after a "$", returning how many bytes it used.
func expandAt(s string, env func(string) (string, bool)) (int, string, error) {
	switch {
	case s[0] == '$':
		return 1, "$", nil
	case s[0] == '{':
		end := strings.IndexByte(s, '}')
		if end < 0 {
			return 0, "", fmt.Errorf("unterminated ${ in %q", s)
		}
		val, err := expandBraced(s[1:end], env)
		return end + 1, val, err
	}
	n := nameLen(s)
	if n == 0 {
		return 0, "$", nil
	}
	v, _ := env(s[:n])
	return n, v, nil
}

// expandBraced expands the inside of ${...}: a name, then optionally an
// operator and its argument.
func expandBraced(expr string, env func(string) (string, bool)) (string, error) {
	n := nameLen(expr)
	name, rest := expr[:n], expr[n:]
	v, set := env(name)
	if rest == "" {
		return v, nil
	}
	for _, op := range []string{":-", ":?", "-", "?"} {
		if arg, ok := strings.CutPrefix(rest, op); ok {
			return applyOperator(op, arg, name, v, set)
		}
	}
	return "", fmt.Errorf("invalid interpolation ${%s}", expr)
}

// applyOperator is ${name<op>arg} for a variable whose value is v (set
// tells whether it is set at all): the value when it counts as present
// (":" operators also need it non-empty), else the default for "-" and
// an error for "?".
func applyOperator(op, arg, name, v string, set bool) (string, error) {
	switch {
	case set && (op[0] != ':' || v != ""):
		return v, nil
	case strings.HasSuffix(op, "-"):
		return arg, nil
	}
	return "", fmt.Errorf("required variable %s is missing a value: %s", name, arg)
}

// nameLen is the length of the variable name s starts with: name runes
// other than "-".
func nameLen(s string) int {
	n := 0
	for n < len(s) && validNameRune(rune(s[n])) && s[n] != '-' {
		n++
	}
	return n
}
