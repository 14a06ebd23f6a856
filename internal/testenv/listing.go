package testenv

import (
	"archive/tar"
	"crypto/sha256"
	"fmt"
	"io"
	"path"
	"sort"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
)

// Listing is an image's merged filesystem, one line per entry in path
// order: "path type mode uid:gid size sha256 -> link". Modification times
// are left out, so two builders' images compare by what they hold.
func Listing(t testing.TB, img v1.Image) []string {
	t.Helper()
	rc := mutate.Extract(img)
	defer rc.Close()
	var lines []string
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("read merged filesystem: %v", err)
		}
		sum := sha256.New()
		if _, err := io.Copy(sum, tr); err != nil {
			t.Fatalf("read %s: %v", h.Name, err)
		}
		lines = append(lines, fmt.Sprintf("%s %c %o %d:%d %d %x -> %s",
			path.Clean("/"+h.Name), h.Typeflag, h.Mode&0o7777, h.Uid, h.Gid, h.Size, sum.Sum(nil)[:8], h.Linkname))
	}
	sort.Strings(lines)
	return lines
}
