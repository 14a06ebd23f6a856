package bake

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	hcljson "github.com/hashicorp/hcl/v2/json"
)

// Options say which definition files to read and how to override them.
type Options struct {
	// Files are read and merged in order; empty means the default lookup in Dir.
	Files []string
	// Dir is the directory relative file names and the default lookup use;
	// diagnostics name files as given (relative to Dir).
	Dir string
	// Overrides are --set values: "pattern.key=value" or "pattern.key+=value".
	Overrides []string
	// Env looks up environment variables that override variable defaults;
	// nil means no environment.
	Env func(string) (string, bool)
}

// DefaultFiles are the names the default lookup reads, in merge order; every
// one that exists is read.
var DefaultFiles = []string{"compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml",
	"build.hcl", "docker-bake.json", "docker-bake.hcl", "docker-bake.override.json", "docker-bake.override.hcl"}

// maxFileSize bounds what one definition file may hold.
const maxFileSize = 8 << 20

// Config is a loaded, evaluated set of definition files.
type Config struct {
	targets   map[string]*Target // merged per name, before inherits and --set
	order     []string           // target names in definition order
	groups    map[string]*Group
	overrides map[string][]override // target name -> overrides in --set order
	env       func(string) (string, bool)
	cost      int // values handed to HCL while evaluating: tests check it grows linearly
	vars      []Variable
	warnings  hcl.Diagnostics
}

// Load reads, parses and evaluates the definition files.
func Load(o Options) (*Config, error) {
	if o.Env == nil {
		o.Env = func(string) (string, bool) { return "", false }
	}
	srcs, err := readFiles(o)
	if err != nil {
		return nil, err
	}
	files, diags := parseFiles(srcs)
	if err := diagErr(diags); err != nil {
		return nil, err
	}
	c, diags := evaluate(files, o.Env)
	if err := diagErr(diags); err != nil {
		return nil, err
	}
	if err := c.addCompose(srcs, o.Env); err != nil {
		return nil, err
	}
	c.env = o.Env
	if c.overrides, err = c.parseOverrides(o.Overrides); err != nil {
		return nil, err
	}
	return c, nil
}

// source is one definition file as read.
type source struct {
	name string
	data []byte
}

// readFiles reads o.Files, or every default file present in o.Dir.
func readFiles(o Options) ([]source, error) {
	names, lookup := o.Files, len(o.Files) == 0
	if lookup {
		names = DefaultFiles
	}
	out, err := readSources(o.Dir, names, lookup)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("find definition file: none of %s in %s", strings.Join(names, ", "), dirName(o.Dir))
	}
	return out, nil
}

// readSources reads the named files (relative to dir); with lookup set,
// missing files are skipped.
func readSources(dir string, names []string, lookup bool) ([]source, error) {
	var out []source
	for _, n := range names {
		data, err := readFile(inDir(dir, n))
		if lookup && errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read definition file: %w", err)
		}
		out = append(out, source{name: n, data: data}) // named as given, for diagnostics
	}
	return out, nil
}

// inDir is where file name n is read: relative to dir unless n is
// absolute or "-".
func inDir(dir, n string) string {
	if dir != "" && !filepath.IsAbs(n) && n != "-" {
		return filepath.Join(dir, n)
	}
	return n
}

func dirName(d string) string {
	if d == "" {
		return "."
	}
	return d
}

// readFile reads a regular file of bounded size.
func readFile(p string) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", p)
	}
	if st.Size() > maxFileSize {
		return nil, fmt.Errorf("%s: larger than %d bytes", p, maxFileSize)
	}
	return os.ReadFile(p)
}

// parseFiles parses the HCL and JSON sources; compose files are skipped here.
func parseFiles(srcs []source) ([]*hcl.File, hcl.Diagnostics) {
	var files []*hcl.File
	var diags hcl.Diagnostics
	for _, s := range srcs {
		if isCompose(s.name) {
			continue
		}
		f, d := parseFile(s.name, s.data)
		diags = append(diags, d...)
		if f != nil && !d.HasErrors() {
			files = append(files, f)
		}
	}
	return files, diags
}

// parseFile parses one file as JSON when its name or first byte says so,
// else as HCL native syntax.
func parseFile(name string, data []byte) (*hcl.File, hcl.Diagnostics) {
	if d := checkDepth(name, data); d != nil {
		return nil, hcl.Diagnostics{d}
	}
	trimmed := strings.TrimSpace(string(data))
	if strings.HasSuffix(name, ".json") || strings.HasPrefix(trimmed, "{") {
		return hcljson.Parse(data, name)
	}
	f, diags := hclsyntax.ParseConfig(data, name, hcl.InitialPos)
	if !diags.HasErrors() {
		diags = append(diags, checkLimits(f)...)
	}
	return f, diags
}

func isCompose(name string) bool {
	ext := filepath.Ext(name)
	return ext == ".yml" || ext == ".yaml"
}
