package bake

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestCSVAttrs(t *testing.T) {
	cases := map[string]map[string]string{
		"type=local,dest=out":        {"type": "local", "dest": "out"},
		`type=image,"name=a,b",push`: {"type": "image", "name": "a,b", "": "push"},
		"Type=gha, scope=x":          {"type": "gha", "scope": "x"},
		`broken"quote,a=b`:           {"": `broken"quote`, "a": "b"},
	}
	for in, want := range cases {
		if got := csvAttrs(in); !reflect.DeepEqual(got, want) {
			t.Errorf("csvAttrs(%q) = %v, want %v", in, got, want)
		}
	}
	if got := setCSV("type=image,name=x", "push", "true"); got != "type=image,name=x,push=true" {
		t.Errorf("setCSV = %q", got)
	}
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestPrintObjects(t *testing.T) {
	cases := []struct {
		f    func(string) any
		in   string
		want string
	}{
		{outputObject, "out/dir", `{"dest":"out/dir","type":"local"}`},
		{outputObject, "-", `{"dest":"-","type":"tar"}`},
		{outputObject, "type=docker,name=x", `{"name":"x","type":"docker"}`},
		{cacheObject, "user/app:cache", `{"ref":"user/app:cache","type":"registry"}`},
		{cacheObject, "type=local,src=/c", `{"src":"/c","type":"local"}`},
		{attestObject, "type=provenance,mode=max", `{"mode":"max","type":"provenance"}`},
		{secretObject, "id=npm,src=.npmrc", `{"id":"npm","src":".npmrc"}`},
		{secretObject, "id=npm,source=.npmrc", `{"id":"npm","src":".npmrc"}`},
		{secretObject, "type=env,id=T,env=TOKEN", `{"id":"T","env":"TOKEN"}`},
		{sshObject, "default", `{"id":"default"}`},
		{sshObject, "key=/a,/b", `{"id":"key","paths":["/a","/b"]}`},
	}
	for _, tc := range cases {
		if got := jsonOf(t, tc.f(tc.in)); got != tc.want {
			t.Errorf("%q: got %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestPrintEscapes(t *testing.T) {
	tg := &Target{
		Args:             map[string]*string{"A": str("${x} %{y}")},
		Tags:             []string{"${not-escaped}"},
		DockerfileInline: str("RUN echo ${HOME}"),
		Annotations:      []string{"a=${b}"},
	}
	var buf bytes.Buffer
	writeTarget(&buf, tg)
	got := buf.String()
	for _, want := range []string{`"A":"$${x} %%{y}"`, `"${not-escaped}"`, `"RUN echo $${HOME}"`, `"a=$${b}"`} {
		if !strings.Contains(got, want) {
			t.Errorf("%s does not contain %s", got, want)
		}
	}
}

func TestPrintFieldOrder(t *testing.T) {
	tg := resolveOne(t, `target "a" {
  tags = ["t"]
  args = { B = "2", A = "1" }
  description = "d"
  no-cache = false
}`, "a", nil)
	var buf bytes.Buffer
	writeTarget(&buf, tg)
	want := `{"description":"d","context":".","dockerfile":"Dockerfile","args":{"A":"1","B":"2"},"tags":["t"],"no-cache":false}`
	if buf.String() != want {
		t.Errorf("got  %s\nwant %s", buf.String(), want)
	}
}

func TestPrintGroups(t *testing.T) {
	c := loadHCL(t, `
group "default" { targets = ["a", "g"] }
group "g" {
  description = "G"
  targets = ["b"]
}
target "a" {}
target "b" {}
target "c" {}`, nil)
	cases := []struct {
		names []string
		want  string
	}{
		{nil, `default:[a g] g:[b]`},
		{[]string{"default"}, `default:[a g] g:[b]`},
		{[]string{"c"}, `default:[c]`},
		{[]string{"c", "default"}, `default:[a c g] g:[b]`},
		{[]string{"g", "a"}, `default:[a g] g:[b]`},
	}
	for _, tc := range cases {
		var parts []string
		for _, g := range c.printGroups(tc.names) {
			parts = append(parts, g.Name+":["+strings.Join(g.Targets, " ")+"]")
		}
		if got := strings.Join(parts, " "); got != tc.want {
			t.Errorf("printGroups(%q) = %s, want %s", tc.names, got, tc.want)
		}
	}
	if got := c.groups["default"].Targets; strings.Join(got, " ") != "a g" {
		t.Errorf("printGroups changed the config: %q", got)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestPrintErrors(t *testing.T) {
	c := loadHCL(t, `target "a" {}`, nil)
	if err := c.Print(failWriter{}, []string{"a"}); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("write error lost: %v", err)
	}
	err := c.Print(&bytes.Buffer{}, []string{"b"})
	wantErr(t, err, `unknown target "b"`)
}

func TestPrintIsValidJSONAndReadsBack(t *testing.T) {
	c := loadHCL(t, `target "a" {
  args = { X = "$${literal}" }
  dockerfile-inline = "FROM scratch"
  output = ["type=docker"]
}`, nil)
	var buf bytes.Buffer
	if err := c.Print(&buf, []string{"a"}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Target map[string]map[string]any `json:"target"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("invalid JSON: %v\n%s", err, buf.String())
	}
	if !strings.HasSuffix(buf.String(), "}\n") || !strings.Contains(buf.String(), "\n  \"target\": {") {
		t.Errorf("not two-space indented with a final newline:\n%s", buf.String())
	}
	// The printed JSON is itself a bake file giving the same values back,
	// except outputs, which buildx prints as objects.
	printed := strings.Replace(buf.String(), `"output": [
        {
          "type": "docker"
        }
      ],`, `"output": ["type=docker"],`, 1)
	printed = strings.Replace(printed, `"output": [
        {
          "type": "docker"
        }
      ]`, `"output": ["type=docker"]`, 1)
	dir := writeFiles(t, map[string]string{"docker-bake.json": printed})
	c2, err := Load(Options{Dir: dir})
	if err != nil {
		t.Fatalf("printed JSON does not load: %v", err)
	}
	ts, err := c2.Resolve([]string{"a"})
	if err != nil {
		t.Fatal(err)
	}
	if deref(ts[0].Args["X"]) != "${literal}" {
		t.Errorf("round trip X = %s", deref(ts[0].Args["X"]))
	}
}
