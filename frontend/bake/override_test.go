package bake

import (
	"slices"
	"testing"
)

const overrideSrc = `
target "base" {
  tags      = ["base"]
  platforms = ["linux/amd64"]
  output    = ["type=docker"]
  args      = { KEEP = "1" }
  attest    = ["type=sbom"]
}
target "app" { inherits = ["base"] }
target "app-two" {}
`

func TestOverrideScalars(t *testing.T) {
	sets := []string{
		"app.context=ctx", "app.dockerfile=df", "app.target=stage", "app.call=check",
		"app.shm-size=1g", "app.network=none", "app.no-cache=true", "app.pull=false",
	}
	tg := resolveOne(t, overrideSrc, "app", nil, sets...)
	got := []string{deref(tg.Context), deref(tg.Dockerfile), deref(tg.Target), deref(tg.Call),
		deref(tg.ShmSize), deref(tg.Network)}
	if !slices.Equal(got, []string{"ctx", "df", "stage", "check", "1g", "none"}) {
		t.Errorf("strings %q", got)
	}
	if tg.NoCache == nil || !*tg.NoCache || tg.Pull == nil || *tg.Pull {
		t.Errorf("bools no-cache %v pull %v", tg.NoCache, tg.Pull)
	}
}

func TestOverrideMaps(t *testing.T) {
	tg := resolveOne(t, overrideSrc, "app", map[string]string{"FROM_ENV": "e"},
		"app.args.NEW=n", "app.args.KEEP=2", "app.labels.l=v", "app.contexts.c=docker-image://x",
		"app.extra-hosts.h=1.2.3.4", "app.args.FROM_ENV", "app.args.NOT_IN_ENV", "app.args.EQ=a=b")
	checks := map[string]string{
		deref(tg.Args["NEW"]): "n", deref(tg.Args["KEEP"]): "2", deref(tg.Labels["l"]): "v",
		deref(tg.Contexts["c"]): "docker-image://x", deref(tg.ExtraHosts["h"]): "1.2.3.4",
		deref(tg.Args["FROM_ENV"]): "e", deref(tg.Args["EQ"]): "a=b",
	}
	for got, want := range checks {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
	if _, ok := tg.Args["NOT_IN_ENV"]; ok {
		t.Error("args.NAME without value and without env must be skipped")
	}
}

func TestOverrideLists(t *testing.T) {
	cases := []struct {
		sets []string
		get  func(*Target) []string
		want []string
	}{
		{[]string{"app.tags=a"}, func(t *Target) []string { return t.Tags }, []string{"a"}},
		{[]string{"app.tags=a", "app.tags=b"}, func(t *Target) []string { return t.Tags }, []string{"a", "b"}},
		{[]string{"app.tags+=a"}, func(t *Target) []string { return t.Tags }, []string{"base", "a"}},
		{[]string{"app.platform=linux/arm64"}, func(t *Target) []string { return t.Platforms }, []string{"linux/arm64"}},
		{[]string{"app.platform+=linux/arm64"}, func(t *Target) []string { return t.Platforms }, []string{"linux/amd64", "linux/arm64"}},
		{[]string{"app.output=type=local,dest=o"}, func(t *Target) []string { return t.Outputs }, []string{"type=local,dest=o"}},
		{[]string{"app.secrets=id=s"}, func(t *Target) []string { return t.Secrets }, []string{"id=s"}},
		{[]string{"app.ssh=default"}, func(t *Target) []string { return t.SSH }, []string{"default"}},
		{[]string{"app.cache-from=r"}, func(t *Target) []string { return t.CacheFrom }, []string{"r"}},
		{[]string{"app.cache-to=type=inline"}, func(t *Target) []string { return t.CacheTo }, []string{"type=inline"}},
		{[]string{"app.attest=type=provenance"}, func(t *Target) []string { return t.Attest }, []string{"type=sbom", "type=provenance"}},
		{[]string{"app.annotations=a=b"}, func(t *Target) []string { return t.Annotations }, []string{"a=b"}},
		{[]string{"app.entitlements=network.host"}, func(t *Target) []string { return t.Entitlements }, []string{"network.host"}},
		{[]string{"app.no-cache-filter=s"}, func(t *Target) []string { return t.NoCacheFilter }, []string{"s"}},
		{[]string{"app.ulimits=nofile=1:1"}, func(t *Target) []string { return t.Ulimits }, []string{"nofile=1:1"}},
	}
	for _, tc := range cases {
		tg := resolveOne(t, overrideSrc, "app", nil, tc.sets...)
		if got := tc.get(tg); !slices.Equal(got, tc.want) {
			t.Errorf("%q: got %q, want %q", tc.sets, got, tc.want)
		}
	}
}

func TestOverridePatterns(t *testing.T) {
	c := loadHCL(t, overrideSrc, nil, "app*.tags=p", "*.args.ALL=1", "base.labels.b=1")
	ts, err := c.Resolve([]string{"app", "app-two", "base"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tg := range ts {
		if deref(tg.Args["ALL"]) != "1" {
			t.Errorf("%s: *.args not applied", tg.Name)
		}
		wantTag := tg.Name != "base"
		if got := slices.Equal(tg.Tags, []string{"p"}); got != wantTag {
			t.Errorf("%s: tags %q", tg.Name, tg.Tags)
		}
		if tg.Name != "app-two" && deref(tg.Labels["b"]) != "1" {
			t.Errorf("%s: override on parent not inherited", tg.Name)
		}
	}
}

// TestOverridePushLoad follows buildx's setPushOverride and setLoadOverride.
func TestOverridePushLoad(t *testing.T) {
	cases := []struct {
		in   []string
		push bool
		want []string
	}{
		{nil, true, []string{"type=image,push=true"}},
		{nil, false, nil},
		{[]string{"type=image,name=x"}, true, []string{"type=image,name=x,push=true"}},
		{[]string{"type=docker"}, true, []string{"type=docker", "type=image,push=true"}},
		// a registry output already pushes; a local one means no image is added
		{[]string{"type=registry,name=x"}, true, []string{"type=registry,name=x"}},
		{[]string{"type=local,dest=o"}, true, []string{"type=local,dest=o"}},
		// push=false drops registry outputs, swapping the last one into place
		{[]string{"type=registry,name=x", "type=local,dest=o", "type=image,name=y"}, false,
			[]string{"type=image,name=y,push=false", "type=local,dest=o"}},
	}
	for _, tc := range cases {
		if got := setPush(tc.in, tc.push); !slices.Equal(got, tc.want) {
			t.Errorf("setPush(%q, %v) = %q, want %q", tc.in, tc.push, got, tc.want)
		}
	}
	loads := []struct {
		in   []string
		load bool
		want []string
	}{
		{[]string{"type=docker", "type=local,dest=o"}, false, []string{"type=docker", "type=local,dest=o"}},
		{[]string{"type=docker"}, true, []string{"type=docker"}},
		{nil, true, []string{"type=docker"}},
		{[]string{"type=docker,dest=a.tar"}, true, []string{"type=docker,dest=a.tar", "type=docker"}},
		{[]string{"type=image,name=x"}, true, []string{"type=image,name=x", "type=docker"}},
		{[]string{"type=local,dest=o"}, true, []string{"type=local,dest=o"}},
	}
	for _, tc := range loads {
		if got := setLoad(tc.in, tc.load); !slices.Equal(got, tc.want) {
			t.Errorf("setLoad(%q, %v) = %q, want %q", tc.in, tc.load, got, tc.want)
		}
	}
}

func TestOverrideErrors(t *testing.T) {
	cases := map[string][]string{
		"app":               {"expected target.key=value"},
		"app.tags":          {"expected target.key=value"},
		"app.platforms=x":   {`unknown key "platforms"`, `Did you mean "platform"?`},
		"app.args=x":        {`key "args": expected args.<name>`},
		"app.tags.x=y":      {`key "tags": expected no sub-key`},
		"nope.tags=x":       {`could not find any target matching "nope"`},
		"[.tags=x":          {"match targets"},
		"zz*.tags=x":        {`could not find any target matching "zz*"`},
		"app.dockerfile+=x": {}, // accepted: += on a scalar is a plain set
	}
	for set, parts := range cases {
		_, err := loadHCLErr(t, overrideSrc, nil, set)
		if len(parts) == 0 {
			if err != nil {
				t.Errorf("%s: %v", set, err)
			}
			continue
		}
		wantErr(t, err, append(parts, `parse --set "`+set+`"`)...)
	}
}

func TestOverrideBadBoolAtResolve(t *testing.T) {
	for _, set := range []string{"app.no-cache=maybe", "app.pull=2", "app.push=x", "app.load=y"} {
		c := loadHCL(t, overrideSrc, nil, set)
		_, err := c.Resolve([]string{"app"})
		wantErr(t, err, "Invalid override", "invalid value")
	}
}
