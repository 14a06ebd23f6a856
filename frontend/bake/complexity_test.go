package bake

import (
	"fmt"
	"strings"
	"testing"
)

// manyTargets is a bake file of n targets, each reading a variable, a
// function and the previous target, all in one default group.
func manyTargets(n int) string {
	var b strings.Builder
	b.WriteString("variable \"TAG\" { default = \"1\" }\n")
	members := make([]string, n)
	for i := range n {
		members[i] = fmt.Sprintf("%q", fmt.Sprintf("t%d", i))
		prev := "[]"
		if i > 0 {
			prev = fmt.Sprintf("target.t%d.tags", i-1)
		}
		fmt.Fprintf(&b, "target \"t%d\" {\n  tags = [upper(\"img%d:${TAG}\")]\n  labels = { prev = length(%s) }\n}\n", i, i, prev)
	}
	fmt.Fprintf(&b, "group \"default\" { targets = [%s] }\n", strings.Join(members, ", "))
	return b.String()
}

// TestEvaluationIsLinear: the values handed to HCL grow in proportion to
// the number of targets (they grew with its square when every expression
// saw every target), and 2,000 targets print.
func TestEvaluationIsLinear(t *testing.T) {
	cost := func(n int) int {
		c := loadHCL(t, manyTargets(n), nil)
		if c.cost == 0 {
			t.Fatal("no evaluation counted")
		}
		return c.cost
	}
	small, large := cost(500), cost(2000)
	if large > 4*small+100 {
		t.Errorf("cost for 500 targets %d, for 2000 %d: more than linear", small, large)
	}
	c := loadHCL(t, manyTargets(2000), nil)
	var out strings.Builder
	if err := c.Print(&out, nil); err != nil || !strings.Contains(out.String(), `"t1999"`) {
		t.Fatalf("print: %v", err)
	}
}
