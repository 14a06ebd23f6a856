package layer

import (
	"archive/tar"
	"bytes"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// content returns an Open func for body.
func content(body string) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(body)), nil }
}

// sampleEntries is a COPY-like entry list, deliberately unsorted.
func sampleEntries() []Entry {
	return []Entry{
		{Dest: "/app/bin/run", Open: content("#!/bin/sh\n"), Mode: fs.ModeSetuid | 0o755, Size: 10, UID: 1000, GID: 1000, ModTime: time.Unix(2e9, 0)},
		{Dest: "/app/conf", Mode: fs.ModeDir | 0o750, UID: 1000},
		{Dest: "/app/conf/link", Mode: fs.ModeSymlink | 0o777, Linkname: "../bin/run"},
		{Dest: "/app/conf/hard", Mode: 0o644, Linkname: "/app/bin/run"},
		{Dest: "/app/a.txt", Open: content("old"), Mode: 0o644, Size: 3},
		{Dest: "/app/a.txt", Open: content("new!"), Mode: 0o600, Size: 4},
	}
}

func TestWriteEntries(t *testing.T) {
	var buf bytes.Buffer
	must(t, WriteEntries(&buf, sampleEntries(), Options{}))
	hs := tarHeaders(t, buf.Bytes())
	want := []string{"app/", "app/a.txt", "app/bin/", "app/bin/run", "app/conf/", "app/conf/hard", "app/conf/link"}
	if got := tarNames(t, buf.Bytes()); !slices.Equal(got, want) {
		t.Fatalf("names:\n got %q\nwant %q", got, want)
	}
	checks := []struct {
		name string
		ok   bool
	}{
		{"added parent", hs[0].Mode == 0o755 && hs[0].Uid == 0 && hs[0].ModTime.Equal(time.Unix(0, 0))},
		{"later wins", hs[1].Size == 4 && hs[1].Mode == 0o600},
		{"setuid and owner", hs[3].Mode == 0o4755 && hs[3].Uid == 1000 && hs[3].ModTime.Equal(time.Unix(2e9, 0))},
		{"given dir", hs[4].Mode == 0o750 && hs[4].Uid == 1000},
		{"hard link", hs[5].Typeflag == tar.TypeLink && hs[5].Linkname == "app/bin/run"},
		{"symlink", hs[6].Typeflag == tar.TypeSymlink && hs[6].Linkname == "../bin/run"},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("%s: wrong header", c.name)
		}
	}
}

func TestWriteEntriesDeterministic(t *testing.T) {
	epoch := time.Unix(1e9, 0)
	var a, b bytes.Buffer
	es := sampleEntries()
	must(t, WriteEntries(&a, es, Options{Epoch: &epoch}))
	slices.Reverse(es[:4])
	es[3].ModTime = time.Now() // app/bin/run: after the epoch both times
	must(t, WriteEntries(&b, es, Options{Epoch: &epoch}))
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("order or later mtimes changed the bytes")
	}
	for _, h := range tarHeaders(t, a.Bytes()) {
		if h.ModTime.After(epoch) || h.Uname != "" {
			t.Errorf("%s: mtime %v uname %q", h.Name, h.ModTime, h.Uname)
		}
	}
}

func TestWriteEntriesExtract(t *testing.T) {
	var buf bytes.Buffer
	must(t, WriteEntries(&buf, sampleEntries(), Options{}))
	dir := t.TempDir()
	must(t, Extract(&buf, dir))
	b, err := os.ReadFile(filepath.Join(dir, "app/conf/link"))
	must(t, err)
	if string(b) != "#!/bin/sh\n" {
		t.Fatalf("content via symlink = %q", b)
	}
	fi, err := os.Stat(filepath.Join(dir, "app/bin/run"))
	must(t, err)
	if fi.Mode() != fs.ModeSetuid|0o755 {
		t.Fatalf("mode = %v", fi.Mode())
	}
}

func TestWriteEntriesErrors(t *testing.T) {
	tests := []struct {
		name string
		e    Entry
		want string
	}{
		{"short", Entry{Dest: "/f", Open: content("ab"), Size: 3}, "copy content"},
		{"long", Entry{Dest: "/f", Open: content("abcd"), Size: 3}, "longer than its size"},
		{"no opener", Entry{Dest: "/f", Size: 1}, "without content"},
		{"socket", Entry{Dest: "/s", Mode: fs.ModeSocket}, "unsupported file type"},
		{"open fails", Entry{Dest: "/f", Size: 1, Open: func() (io.ReadCloser, error) { return nil, fs.ErrPermission }}, "open content"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := WriteEntries(io.Discard, []Entry{tc.e}, Options{})
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.e.Dest) {
				t.Fatalf("err = %v, want %q naming %s", err, tc.want, tc.e.Dest)
			}
		})
	}
}

// TestWriteEntriesKeepsHardLinks: entries sharing a source inode become
// hard links to the first in path order, whatever order they came in.
func TestWriteEntriesKeepsHardLinks(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	must(t, os.WriteFile(a, []byte("same"), 0o644))
	must(t, os.Link(a, b))
	var es []Entry
	for _, p := range []string{b, a} {
		fi, err := os.Lstat(p)
		must(t, err)
		es = append(es, Entry{Dest: "/x/" + filepath.Base(p), Open: content("same"), Mode: fi.Mode(), Size: fi.Size(), ID: FileIDOf(fi)})
	}
	var buf bytes.Buffer
	must(t, WriteEntries(&buf, es, Options{}))
	hs := map[string]*tar.Header{}
	for _, h := range tarHeaders(t, buf.Bytes()) {
		hs[h.Name] = h
	}
	if h := hs["x/a"]; h == nil || h.Typeflag != tar.TypeReg || h.Size != 4 {
		t.Errorf("x/a = %+v, want the file with its content", h)
	}
	if h := hs["x/b"]; h == nil || h.Typeflag != tar.TypeLink || h.Linkname != "x/a" {
		t.Errorf("x/b = %+v, want a hard link to x/a", h)
	}
	fi, err := os.Lstat(dir)
	must(t, err)
	if id := FileIDOf(fi); id != (FileID{}) {
		t.Errorf("a directory has a FileID %v", id)
	}
}
