package steps

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/stencilbuild/stencil/executor/layer"
	"github.com/stencilbuild/stencil/internal/testenv"
)

// TestExtractVerifiedLimit: a pulled layer is unpacked under the build's
// limit; beyond it the unpack fails with layer.ErrTooLarge.
func TestExtractVerifiedLimit(t *testing.T) {
	data := testenv.Tar(t, testenv.File("big", strings.Repeat("x", 64<<10)))
	want := v1.Hash{Algorithm: "sha256", Hex: fmt.Sprintf("%x", sha256.Sum256(data))}
	for _, tc := range []struct {
		max  int64
		fail bool
	}{{16 << 10, true}, {0, false}} {
		h := sha256.New()
		err := extractVerified(io.TeeReader(bytes.NewReader(data), h), t.TempDir(), h, want, tc.max)
		if errors.Is(err, layer.ErrTooLarge) != tc.fail {
			t.Errorf("limit %d: %v", tc.max, err)
		}
	}
}
