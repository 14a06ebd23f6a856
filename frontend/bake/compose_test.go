package bake

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

func TestInterpolate(t *testing.T) {
	env := envOf(map[string]string{"A": "a", "EMPTY": ""})
	cases := map[string]string{
		"plain":            "plain",
		"$A-$A":            "a-a",
		"${A}":             "a",
		"x${A}y":           "xay",
		"$$A":              "$A",
		"${MISSING}":       "",
		"${MISSING:-def}":  "def",
		"${EMPTY:-def}":    "def",
		"${EMPTY-def}":     "",
		"${MISSING-def}":   "def",
		"${A:-def}":        "a",
		"${A:?must}":       "a",
		"cost $":           "cost $",
		"$ 5":              "$ 5",
		"${MISSING:-a:-b}": "a:-b",
	}
	for in, want := range cases {
		got, err := interpolate(in, env)
		if err != nil || got != want {
			t.Errorf("interpolate(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"${A", "${MISSING:?is required}", "${EMPTY:?no}", "${MISSING?x}", "${A!}"} {
		if _, err := interpolate(bad, env); err == nil {
			t.Errorf("interpolate(%q) accepted", bad)
		}
	}
}

const composeSrc = `
services:
  web:
    image: example/web
    build:
      context: web
      args:
        - A=1
        - FROM_ENV
        - NOT_SET
      labels:
        team: web
      extra_hosts:
        db: 10.0.0.2
      additional_contexts:
        base: docker-image://alpine
      ssh: [default]
      secrets: [tok]
      pull: true
      network: host
  short:
    build: ./short
  nobuild:
    image: redis
  "dotted.name":
    build: .
secrets:
  tok:
    environment: TOKEN
`

func TestComposeTargets(t *testing.T) {
	dir := writeFiles(t, map[string]string{"compose.yaml": composeSrc})
	c, err := Load(Options{Dir: dir, Env: envOf(map[string]string{"FROM_ENV": "e"})})
	if err != nil {
		t.Fatal(err)
	}
	ts, err := c.Resolve(nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := names(ts); !slices.Equal(got, []string{"dotted_name", "short", "web"}) {
		t.Fatalf("targets %q", got)
	}
	web := ts[2]
	if deref(web.Context) != "web" || deref(web.Args["A"]) != "1" || deref(web.Args["FROM_ENV"]) != "e" {
		t.Errorf("web %+v", web)
	}
	if _, ok := web.Args["NOT_SET"]; ok {
		t.Error("arg without value or env kept")
	}
	checks := [][2]string{
		{deref(web.Labels["team"]), "web"}, {deref(web.ExtraHosts["db"]), "10.0.0.2"},
		{deref(web.Contexts["base"]), "docker-image://alpine"}, {deref(web.Network), "host"},
		{web.Tags[0], "example/web"}, {web.SSH[0], "default"}, {web.Secrets[0], "id=tok,type=env,env=TOKEN"},
	}
	for _, c := range checks {
		if c[0] != c[1] {
			t.Errorf("got %q, want %q", c[0], c[1])
		}
	}
	if web.Pull == nil || !*web.Pull {
		t.Error("pull lost")
	}
	if deref(ts[1].Context) != "short" { // cleaned, as buildx prints it
		t.Errorf("short build context %s", deref(ts[1].Context))
	}
}

func TestComposeUnderHCL(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"docker-compose.yml": "services:\n  web:\n    build:\n      context: c\n      args: {A: compose, B: compose}\n",
		"docker-bake.hcl": `target "web" { args = { A = "hcl" } }
target "other" {}
group "default" { targets = ["other"] }`,
	})
	c, err := Load(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	ts, err := c.Resolve(nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := names(ts); !slices.Equal(got, []string{"other"}) { // the declared group replaces compose's, as buildx
		t.Fatalf("default group %q", got)
	}
	if ts, err = c.Resolve([]string{"web"}); err != nil {
		t.Fatal(err)
	}
	web := ts[0]
	if deref(web.Args["A"]) != "hcl" || deref(web.Args["B"]) != "compose" || deref(web.Context) != "c" {
		t.Errorf("web args %v context %s", web.Args, deref(web.Context))
	}
	if web.DefRange.Filename == "" || web.DefRange.Start.Line != 1 {
		t.Errorf("DefRange %s should be the HCL block", web.DefRange)
	}
}

// TestComposeErrors: every compose error is one located line, at the
// line yaml names or else at the service's build section.
func TestComposeErrors(t *testing.T) {
	cases := map[string]string{
		"services: [": "compose.yaml:1:1: Invalid compose file; did not find expected node content",
		"services:\n  a:\n    build:\n      secrets: [x]":         `compose.yaml:4:7: Invalid compose file; service "a": unknown secret "x"`,
		"services:\n  a:\n    build:\n      args: 5":              `compose.yaml:4:1: Invalid compose file; service "a": expected a mapping or a list`,
		"services:\n  a:\n    image: ${NEED:?set NEED}":           "compose.yaml:3:1: Invalid compose file; required variable NEED is missing a value: set NEED",
		"services:\n  a:\n    build: [1]":                         `compose.yaml:3:1: Invalid compose file; service "a": build must be a context path or a mapping`,
		"services:\n  a:\n    build:\n      cache_to: [mode=max]": `compose.yaml:4:7: Invalid compose file; service "a": cache-to entry "mode=max": type required form> "mode=max"`,
	}
	for src, want := range cases {
		dir := writeFiles(t, map[string]string{"compose.yaml": src})
		_, err := Load(Options{Dir: dir, Files: []string{"compose.yaml"}})
		if got := errString(err); strings.ReplaceAll(got, dir+"/", "") != want {
			t.Errorf("%q:\n got %s\nwant %s", src, got, want)
		}
	}
}

func TestComposeMapForms(t *testing.T) {
	src := `services:
  a:
    build:
      args:
        NUM: 1
        NULL:
        STR: "x"
      extra_hosts:
        - "h1=1.1.1.1"
        - "h2:2.2.2.2"
      shm_size: 1024
      ulimits:
        nproc: 65535
        nofile:
          soft: 20000
          hard: 40000
      no_cache: false
`
	dir := writeFiles(t, map[string]string{"compose.yaml": src})
	c, err := Load(Options{Dir: dir, Env: envOf(map[string]string{"NULL": "from-env"})})
	if err != nil {
		t.Fatal(err)
	}
	ts, err := c.Resolve([]string{"a"})
	if err != nil {
		t.Fatal(err)
	}
	a := ts[0]
	want := map[string]string{"NUM": "1", "NULL": "from-env", "STR": "x"}
	for k, v := range want {
		if deref(a.Args[k]) != v {
			t.Errorf("arg %s = %s", k, deref(a.Args[k]))
		}
	}
	if deref(a.ExtraHosts["h1"]) != "1.1.1.1" || deref(a.ExtraHosts["h2"]) != "2.2.2.2" {
		t.Errorf("extra hosts %v", a.ExtraHosts)
	}
	if deref(a.ShmSize) != "1024" || a.NoCache == nil || *a.NoCache {
		t.Errorf("shm %s no-cache %v", deref(a.ShmSize), a.NoCache)
	}
	if !slices.Equal(a.Ulimits, []string{"nofile=20000:40000", "nproc=65535"}) {
		t.Errorf("ulimits %q", a.Ulimits)
	}
}

func TestComposeHelpers(t *testing.T) {
	if strPtr("") != nil || deref(strPtr("x")) != "x" {
		t.Error("strPtr")
	}
	if nonNil(map[string]*string{"a": nil}) != nil {
		t.Error("nonNil keeps an all-null map")
	}
	if got := secretEntry("s", composeSecret{File: "f"}); got != "id=s,src=f" {
		t.Errorf("secretEntry file = %s", got)
	}
	if !isCompose("x/compose.yml") || !isCompose("a.yaml") || isCompose("a.hcl") {
		t.Error("isCompose")
	}
}

// TestComposeDiag: yaml's own "line N" wins over the fallback position,
// its prefixes go, and several unmarshal errors stay on one line.
func TestComposeDiag(t *testing.T) {
	fallback := hcl.Pos{Line: 7, Column: 3}
	cases := []struct {
		err  error
		want string
	}{
		{errors.New("yaml: line 2: mapping values are not allowed in this context"),
			"c.yaml:2:1: Invalid compose file; mapping values are not allowed in this context"},
		{errors.New("yaml: unmarshal errors:\n  line 5: cannot unmarshal !!str `x` into []string\n  line 6: cannot unmarshal !!int `1` into bool"),
			"c.yaml:5:1: Invalid compose file; cannot unmarshal !!str `x` into []string line 6: cannot unmarshal !!int `1` into bool"},
		{errors.New(`service "a": unknown secret "x"`),
			`c.yaml:7:3: Invalid compose file; service "a": unknown secret "x"`},
	}
	for _, tc := range cases {
		if got := formatDiag(composeDiag("c.yaml", fallback, tc.err)); got != tc.want {
			t.Errorf("got  %s\nwant %s", got, tc.want)
		}
	}
}

// TestComposeCacheLists: cache_from and cache_to read as buildx's command
// line does: a ref-only list is one registry cache per ref.
func TestComposeCacheLists(t *testing.T) {
	src := "services:\n  a:\n    build:\n      cache_from: [\"r1,r2\", type=gha]\n      cache_to: [type=inline]\n"
	if got := resolveFiles(t, map[string]string{"compose.yaml": src}, "a").CacheFrom; !slices.Equal(got, []string{"r1", "r2", "type=gha"}) {
		t.Errorf("cache-from %q", got)
	}
}
