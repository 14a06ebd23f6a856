package planner

import (
	"slices"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"

	"github.com/stencilbuild/stencil/frontend/dockerfile"
)

// TestRunHeredocArgs pins BuildKit's dispatchRun: a lone heredoc runs its
// body in the shell (tabs chomped for <<-), a "#!" body runs as a file at
// /dev/pipes/<name>, anything else goes to the shell as written.
func TestRunHeredocArgs(t *testing.T) {
	tests := []struct {
		name, run string
		argv      []string
		files     []InlineFile
	}{
		{"lone", "RUN <<EOF\necho hi\nEOF\n", []string{"/bin/sh", "-c", "echo hi\n"}, nil},
		{"chomped", "RUN <<-EOF\n\techo hi\n\tEOF\n", []string{"/bin/sh", "-c", "echo hi\n"}, nil},
		{"quoted is not expanded", "RUN <<'EOF'\necho $HOME\nEOF\n", []string{"/bin/sh", "-c", "echo $HOME\n"}, nil},
		{"several", "RUN cat <<A > /a && cat <<-'B' > /b\none\nA\n\ttwo\n\tB\n",
			[]string{"/bin/sh", "-c", "cat <<A > /a && cat <<-'B' > /b\none\nA\n\ttwo\nB"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := final(mustBuild(t, newFake(), target("t", "FROM alpine:3.20\n"+tt.run)))
			if !slices.Equal(st.Run.Args, tt.argv) || !slices.Equal(st.Run.Files, tt.files) {
				t.Errorf("argv %q files %+v\nwant %q %+v", st.Run.Args, st.Run.Files, tt.argv, tt.files)
			}
		})
	}
}

// TestRunHeredocInterpreter: a "#!" body becomes a 0755 file the shell runs.
func TestRunHeredocInterpreter(t *testing.T) {
	f, err := dockerfile.Parse("Dockerfile", []byte("FROM a\nRUN <<EOF\n#!/usr/bin/env python3\nprint(1)\nEOF\n"))
	if err != nil {
		t.Fatal(err)
	}
	argv, files, err := (&stageState{}).runArgs(f.Stages[0].Commands[0].(*instructions.RunCommand))
	want := []InlineFile{{Name: "EOF", Dest: "/dev/pipes/EOF", Data: "#!/usr/bin/env python3\nprint(1)\n", Mode: 0o755}}
	if err != nil || !slices.Equal(argv, []string{"/bin/sh", "-c", "/dev/pipes/EOF"}) || !slices.Equal(files, want) {
		t.Errorf("argv %q files %+v err %v", argv, files, err)
	}
}

// TestHeredocBodyIsInTheKey: the instruction line alone does not say what
// runs or what is copied.
func TestHeredocBodyIsInTheKey(t *testing.T) {
	for _, pair := range [][2]string{
		{"RUN <<EOF\necho one\nEOF\n", "RUN <<EOF\necho two\nEOF\n"},
		{"COPY <<EOF /x\none\nEOF\n", "COPY <<EOF /x\ntwo\nEOF\n"},
		{"ARG V=1\nCOPY <<EOF /x\n$V\nEOF\n", "ARG V=2\nCOPY <<EOF /x\n$V\nEOF\n"},
	} {
		a := final(mustBuild(t, newFake(), target("t", "FROM alpine:3.20\n"+pair[0])))
		b := final(mustBuild(t, newFake(), target("t", "FROM alpine:3.20\n"+pair[1])))
		if a.Key == b.Key {
			t.Errorf("same key for\n%s---\n%s", pair[0], pair[1])
		}
	}
}

// TestCopyHeredocFiles: unquoted delimiters expand (the arg enters the
// key), quoted ones do not; each file lands as a file of its name would.
func TestCopyHeredocFiles(t *testing.T) {
	src := "FROM alpine:3.20\nARG X=ex\nWORKDIR /w\nCOPY <<A <<\"B\" conf/\na=$X\nA\nb=$X\nB\nCOPY <<EOF single\nhi\nEOF\n"
	p := mustBuild(t, newFake(), target("t", src))
	two := find(p, "COPY <<A <<B conf/")
	want := []InlineFile{{Name: "A", Dest: "/w/conf/A", Data: "a=ex\n", Mode: 0o644}, {Name: "B", Dest: "/w/conf/B", Data: "b=$X\n", Mode: 0o644}}
	if !slices.Equal(two.Copy.Inline, want) {
		t.Errorf("inline = %+v\nwant %+v", two.Copy.Inline, want)
	}
	if two.Inputs.Args["X"] != "ex" || two.Inputs.Files["<<A"] == "" || len(two.Copy.Files) != 0 {
		t.Errorf("inputs = %+v", two.Inputs)
	}
	if one := find(p, "COPY <<EOF single"); one.Copy.Inline[0].Dest != "/w/single" {
		t.Errorf("single file dest = %s", one.Copy.Inline[0].Dest)
	}
}
