package planner

import (
	"context"
	"slices"
	"strings"
	"testing"
)

// TestCheckUsesBaseImageEnv: the checks see the base image's config
// through Inputs (GOPATH is defined by golang:1.22), and a target's stage
// limits them to the stages it builds unless all is set.
func TestCheckUsesBaseImageEnv(t *testing.T) {
	src := "FROM alpine:3.20 AS other\nENV A=$NOPE1\nFROM golang:1.22 AS app\nENV B=$GOPATH$NOPE2\n"
	spec := target("t", src)
	spec.Stage = "app"
	for _, all := range []bool{false, true} {
		reps, err := Check(context.Background(), []TargetSpec{spec}, newFake(), all)
		if err != nil {
			t.Fatal(err)
		}
		if reps[0].Error != nil {
			t.Fatalf("error: %s", reps[0].Error.Message)
		}
		var got []string
		for _, w := range reps[0].Warnings {
			got = append(got, w.Detail)
		}
		want := []string{"Usage of undefined variable '$NOPE2'"}
		if all {
			want = append([]string{"Usage of undefined variable '$NOPE1'"}, want...)
		}
		if !slices.Equal(got, want) {
			t.Errorf("all=%v: warnings %q, want %q", all, got, want)
		}
	}
}

// TestCheckStrictAndSyntax: `# check=error=true` makes a warning an error
// naming the file and rule; `# syntax=` is noted with its line.
func TestCheckStrictAndSyntax(t *testing.T) {
	src := "# syntax=docker/dockerfile:1\n# check=error=true\nFROM alpine:3.20\nCMD run\n"
	spec := fileTarget(t, src)
	reps, err := Check(context.Background(), []TargetSpec{spec}, newFake(), false)
	if err != nil {
		t.Fatal(err)
	}
	err = reps[0].Err()
	if err == nil || err.Error() != "Dockerfile.prod: lint violation found for rules: JSONArgsRecommended" {
		t.Errorf("Err() = %v", err)
	}
	if note := reps[0].Note(); !strings.HasPrefix(note, "note: Dockerfile.prod:1: # syntax=docker/dockerfile:1: ") {
		t.Errorf("Note() = %q", note)
	}
}

// TestEscapeDirective: `# escape=` makes the backtick the escape token, so
// a backslash is literal and a backtick continues the line.
func TestEscapeDirective(t *testing.T) {
	src := "# escape=`\nFROM alpine:3.20\nENV P=C:\\dir `\n    B=1\n"
	c := final(mustBuild(t, newFake(), target("t", src))).Config
	if !slices.Equal(c.Env, []string{"PATH=/usr/bin:/bin", `P=C:\dir`, "B=1"}) {
		t.Fatalf("env = %q", c.Env)
	}
}
