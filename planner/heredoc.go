package planner

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"path"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"

	"github.com/stencilbuild/stencil/frontend/buildctx"
)

// InlineFile is a file the Dockerfile itself holds (a heredoc). COPY and
// ADD write it like a context file (mode 0644 before --chmod, never
// unpacked); a RUN whose lone heredoc starts with "#!" runs it from a
// read-only file at /dev/pipes/<name>, as BuildKit does.
type InlineFile struct {
	Name string `json:"name"` // the heredoc's delimiter word
	Dest string `json:"dest"` // absolute path in the image (COPY) or the sandbox (RUN)
	Data string `json:"data"`
	Mode uint32 `json:"mode"` // permission bits
}

// pipesDir is where BuildKit mounts a RUN's "#!" heredoc.
const pipesDir = "/dev/pipes"

// runArgs is a RUN's argv as BuildKit's dispatchRun makes it. A lone
// heredoc runs its content in the shell, or, starting with "#!", runs as
// a file; any other use of heredocs goes to the shell as written, each
// body and delimiter appended. Heredoc bodies of RUN are never expanded.
func (s *stageState) runArgs(c *instructions.RunCommand) ([]string, []InlineFile, error) {
	if len(c.Files) == 0 {
		return s.command(c.ShellDependantCmdLine), nil, nil
	}
	if len(c.CmdLine) != 1 || !c.PrependShell {
		return nil, nil, errors.New("heredocs need the shell form of RUN")
	}
	if parser.MustParseHeredoc(c.CmdLine[0]) == nil {
		return withShell(s.cfg, []string{c.CmdLine[0] + heredocBodies(c.Files)}), nil, nil
	}
	f := c.Files[0]
	data := f.Data
	if f.Chomp {
		data = parser.ChompHeredocContent(data)
	}
	if !strings.HasPrefix(data, "#!") {
		return withShell(s.cfg, []string{data}), nil, nil
	}
	file := InlineFile{Name: f.Name, Dest: path.Join(pipesDir, path.Base(f.Name)), Data: data, Mode: 0o755}
	return withShell(s.cfg, []string{file.Dest}), []InlineFile{file}, nil
}

// heredocBodies is each heredoc's body and closing delimiter, as they
// follow the instruction line in the Dockerfile.
func heredocBodies(files []instructions.ShellInlineFile) string {
	var b strings.Builder
	for _, f := range files {
		b.WriteString("\n" + f.Data + f.Name)
	}
	return b.String()
}

// runText is a RUN as written, heredoc bodies included, so a change to a
// body changes the key.
func runText(c *instructions.RunCommand) string {
	return code(c) + heredocBodies(c.Files)
}

// inlineFiles plans a COPY/ADD's heredoc sources: bodies with an unquoted
// delimiter are expanded (BuildKit's ExpandRaw: quotes kept, `\` as the
// escape), and each lands where a file of its name would.
func (s *stageState) inlineFiles(contents []instructions.SourceContent, cp *Copy) ([]InlineFile, error) {
	out := make([]InlineFile, 0, len(contents))
	for _, sc := range contents {
		data := sc.Data
		if sc.Expand {
			v, used, err := s.ts.f.ExpandRaw(data, s.lookup)
			if err != nil {
				return nil, err
			}
			s.use(used)
			data = v
		}
		dest := buildctx.FileDest(sc.Path, cp.Dest, cp.Workdir, len(cp.Sources)+len(contents) > 1)
		out = append(out, InlineFile{Name: sc.Path, Dest: dest, Data: data, Mode: 0o644})
	}
	return out, nil
}

// inlineKeys are the key's Files entries of heredoc sources: "<<NAME"
// -> "digest mode", like a context file's.
func inlineKeys(files []InlineFile, keys map[string]string) map[string]string {
	for _, f := range files {
		if keys == nil {
			keys = map[string]string{}
		}
		sum := sha256.Sum256([]byte(f.Data))
		keys["<<"+f.Name] = fileKey("sha256:"+hex.EncodeToString(sum[:]), f.Mode)
	}
	return keys
}
