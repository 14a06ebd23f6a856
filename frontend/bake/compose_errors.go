package bake

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"go.yaml.in/yaml/v3"
)

// yamlLine finds the "line N: " a yaml error names.
var yamlLine = regexp.MustCompile(`line (\d+): `)

// composeDiag locates a compose error on one line: at the first line the
// error names (column 1), else at pos.
func composeDiag(file string, pos hcl.Pos, err error) *hcl.Diagnostic {
	msg := yamlPrefixes.Replace(oneLine(err.Error()))
	if m := yamlLine.FindStringSubmatchIndex(msg); m != nil {
		n, _ := strconv.Atoi(msg[m[2]:m[3]])
		pos, msg = hcl.Pos{Line: n, Column: 1}, msg[:m[0]]+msg[m[1]:]
	}
	return causedBy(err, &hcl.Range{Filename: file, Start: pos, End: pos}, "Invalid compose file", "%s", msg)
}

// yamlPrefixes drops the yaml package's prefixes from its messages.
var yamlPrefixes = strings.NewReplacer("yaml: unmarshal errors: ", "", "yaml: ", "")

// nodePos is where a yaml node starts.
func nodePos(n *yaml.Node) hcl.Pos {
	return hcl.Pos{Line: n.Line, Column: n.Column}
}
