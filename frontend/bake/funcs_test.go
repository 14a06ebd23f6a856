package bake

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"
)

// buildxFuncs is buildx's function list (bake/hclparser/stdlib.go).
var buildxFuncs = strings.Fields(`absolute add and base64decode base64encode basename bcrypt byteslen
bytesslice can ceil chomp chunklist cidrhost cidrnetmask cidrsubnet cidrsubnets
coalesce coalescelist compact concat contains convert
csvdecode dirname distinct divide element equal flatten floor format formatdate formatlist
greaterthan greaterthanorequalto hasindex indent index indexof int join jsondecode jsonencode
keys length lessthan lessthanorequalto log lookup lower max md5 merge min modulo multiply
negate not notequal or parseint pow range regex_replace regex regexall replace reverse
reverselist sanitize sethaselement setintersection setproduct setsubtract
setsymmetricdifference setunion sha1 sha256 sha512 signum slice sort split strlen substr
subtract timeadd timestamp title trim trimprefix trimspace trimsuffix try upper urlencode
uuidv4 uuidv5 values zipmap rsadecrypt formattimestamp homedir semvercmp unixtimestampparse`)

func TestLibraryHasBuildxFunctions(t *testing.T) {
	lib := libraryFuncs()
	for _, name := range buildxFuncs {
		if _, ok := lib[name]; !ok {
			t.Errorf("function %q missing", name)
		}
	}
	if len(lib) != len(buildxFuncs) {
		var extra []string
		for name := range lib {
			if !slices.Contains(buildxFuncs, name) {
				extra = append(extra, name)
			}
		}
		t.Errorf("library has functions buildx lacks: %q", extra)
	}
}

// evalArg loads a target whose args.V is expr and returns the value.
func evalArg(t *testing.T, expr string) string {
	t.Helper()
	tg := resolveOne(t, "target \"t\" {\n  args = { V = "+expr+" }\n}\n", "t", nil)
	return deref(tg.Args["V"])
}

func TestExtraFunctions(t *testing.T) {
	cases := map[string]string{
		`basename("/a/b/c.txt")`:                      "c.txt",
		`dirname("/a/b/c.txt")`:                       "/a/b",
		`sanitize("a/b.c d_e-f")`:                     "a_b_c_d_e-f",
		`urlencode("a b&c")`:                          "a+b%26c",
		`base64encode("stencil")`:                     "c3RlbmNpbA==",
		`base64decode("c3RlbmNpbA==")`:                "stencil",
		`md5("stencil")`:                              "667f218c5ed2c9cf25734500472e7c4a",
		`sha1("abc")`:                                 "a9993e364706816aba3e25717850c26c9cd0d89d",
		`strlen(sha512(""))`:                          "128",
		`indexof(["a", "b", "c"], "c")`:               "2",
		`upper("x")`:                                  "X",
		`join(",", setproduct(["a"], ["b", "c"])[1])`: "a,c",
		`convert("1", number) + 1`:                    "2",
		`try(parseint("x", 10), "fallback")`:          "fallback",
		`can(regex("^v", "v1")) ? "y" : "n"`:          "y",
		`cidrhost("10.12.0.0/16", 5)`:                 "10.12.0.5",
		`cidrsubnet("10.0.0.0/8", 8, 2)`:              "10.2.0.0/16",
		`cidrnetmask("172.16.0.0/12")`:                "255.240.0.0",
		`uuidv5("dns", "stencil.example")`:            "f02036d0-aa92-581d-b17d-5671e9e77604", // python3 uuid.uuid5(NAMESPACE_DNS, ...)
		`substr(bcrypt("x"), 0, 4)`:                   "$2a$",
	}
	checkCases(t, cases)
}

// TestBuildxTimeAndVersionFunctions: buildx's own functions, with values
// worked out by hand (1700000000 is 2023-11-14T22:13:20Z, a Tuesday of ISO week 46).
func TestBuildxTimeAndVersionFunctions(t *testing.T) {
	t.Setenv("HOME", "/home/ci")
	checkCases(t, map[string]string{
		`formattimestamp("YYYY-MM-DD", 1700000000)`:             "2023-11-14",
		`formattimestamp("X", "2023-11-14T22:13:20Z")`:          "1700000000",
		`formattimestamp("X", 1700000000)`:                      "1700000000",
		`formattimestamp("hh:mm", "2023-11-14T22:13:20+01:00")`: "22:13",
		`unixtimestampparse(1700000000).weekday_name`:           "Tuesday",
		`unixtimestampparse(1700000000).iso_week`:               "46",
		`unixtimestampparse(1700000000).year_day`:               "318",
		`unixtimestampparse(1700000000).rfc3339`:                "2023-11-14T22:13:20Z",
		`semvercmp("1.2.3", ">= 1.2.0") ? "y" : "n"`:            "y",
		`semvercmp("v2.0.0-rc1", "^1.0") ? "y" : "n"`:           "n",
		`homedir()`: "/home/ci",
		`try(formattimestamp("X", 1.5), "not whole")`:   "not whole",
		`try(semvercmp("banana", ">1"), "bad version")`: "bad version",
	})
}

func checkCases(t *testing.T, cases map[string]string) {
	t.Helper()
	for expr, want := range cases {
		if got := evalArg(t, expr); got != want {
			t.Errorf("%s = %q, want %q", expr, got, want)
		}
	}
}

func TestMd5Value(t *testing.T) {
	got := evalArg(t, `md5("")`)
	if got != "d41d8cd98f00b204e9800998ecf8427e" {
		t.Errorf("md5(\"\") = %s", got)
	}
}

func TestTimestampAndUUID(t *testing.T) {
	ts := evalArg(t, `timestamp()`)
	if _, err := time.Parse(time.RFC3339, ts); err != nil {
		t.Errorf("timestamp %q: %v", ts, err)
	}
	id := evalArg(t, `uuidv4()`)
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(id) {
		t.Errorf("uuidv4 %q", id)
	}
}

func TestFunctionErrors(t *testing.T) {
	cases := map[string]string{
		`base64decode("!!")`:                 "decode base64",
		`indexof(["a"], "z")`:                "item not found",
		`indexof("a", "z")`:                  "must be a list or tuple",
		`uper("x")`:                          `Did you mean "upper"?`,
		`setproduct(range(500), range(500))`: "more than 100000 elements",
	}
	for expr, want := range cases {
		_, err := loadHCLErr(t, "target \"t\" {\n  args = { V = "+expr+" }\n}\n", nil)
		wantErr(t, err, want)
	}
}

func TestUserFunctions(t *testing.T) {
	src := `
variable "REPO" { default = "r" }
function "tag" {
  params = [name, version]
  result = "${REPO}/${name}:${version}"
}
function "all" {
  params         = [name]
  variadic_param = rest
  result         = concat([name], rest)
}
function "upper" {
  params = [s]
  result = "shadowed-${s}"
}
target "t" {
  args = {
    TAG   = tag("app", 1)
    NONE  = join(",", all("x"))
    SOME  = join(",", all("x", "y", "z"))
    SHADE = upper("a")
  }
}`
	tg := resolveOne(t, src, "t", nil)
	want := map[string]string{"TAG": "r/app:1", "NONE": "x", "SOME": "x,y,z", "SHADE": "shadowed-a"}
	for k, v := range want {
		if got := deref(tg.Args[k]); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
}

func TestUserFunctionLimits(t *testing.T) {
	src := `
function "twice" {
  params = [n]
  result = n <= 0 ? 1 : twice(n - 1) + twice(n - 1)
}
target "t" { args = { V = twice(40) } }`
	_, err := loadHCLErr(t, src, nil)
	wantErr(t, err, "calls nest deeper than")

	// A failed call caught by try() does not poison later calls.
	src = `
function "loop" {
  params = [x]
  result = loop(x)
}
function "id" {
  params = [x]
  result = x
}
target "t" { args = { A = try(loop(1), "caught"), B = id("ok") } }`
	tg := resolveOne(t, src, "t", nil)
	if deref(tg.Args["A"]) != "caught" || deref(tg.Args["B"]) != "ok" {
		t.Errorf("args %s %s", deref(tg.Args["A"]), deref(tg.Args["B"]))
	}
}

func TestUserFunctionErrors(t *testing.T) {
	cases := map[string]string{
		`function "f" {
  params = ["a"]
  result = 1
}`: "A single static variable reference is required",
		`function "f" {
  params = [a.b]
  result = 1
}`: "a parameter name must be a bare identifier",
		`function "f" {
  params = [a]
}`: `"result" is required`,
		`function "f" {
  variadic_param = [x]
  result = 1
}`: "A single static variable reference is required",
	}
	for src, want := range cases {
		_, err := loadHCLErr(t, src+"\ntarget \"t\" {}\n", nil)
		wantErr(t, err, want)
	}
}

func TestSanitizeAndNames(t *testing.T) {
	if got := sanitize("héllo/w"); got != "h_llo_w" {
		t.Errorf("sanitize = %q", got)
	}
	if !validNameRune('-') || validNameRune('.') {
		t.Error("validNameRune")
	}
	v := builtinVars()
	if !strings.HasPrefix(v["BAKE_LOCAL_PLATFORM"].AsString(), "linux/") || v["BAKE_CMD_CONTEXT"].Type() != cty.String {
		t.Errorf("builtins %v", v)
	}
}
