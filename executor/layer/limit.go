package layer

import (
	"errors"
	"fmt"
)

// DefaultMaxSize bounds what one layer or archive may expand to when the
// caller sets no limit: 32 GiB, above the largest layers of real images
// (CUDA and ML framework layers run to a few GiB) and far below filling a
// build machine's disk from a small, highly compressed bomb.
const DefaultMaxSize int64 = 32 << 30

// ErrTooLarge is the error of a layer or archive that expands beyond its
// limit; the limit and the entry it was reached at are named around it.
var ErrTooLarge = errors.New("expands beyond the size limit")

// headerCost is what each entry counts besides its content: a tar header
// block, so a flood of empty entries is bounded too.
const headerCost = 512

// ExtractOption changes how Extract and Flatten read layers.
type ExtractOption func(*extractor)

// WithMaxSize bounds the expanded size of each layer or archive: the sum of
// its entries' content sizes (a sparse file's full size, since that is what
// reaches the disk) and a header block per entry. n <= 0 means
// DefaultMaxSize.
func WithMaxSize(n int64) ExtractOption {
	return func(x *extractor) {
		if n > 0 {
			x.maxSize = n
		}
	}
}

// spend counts an entry of size bytes of content against the limit.
func (x *extractor) spend(size int64) error {
	x.used += headerCost + max(size, 0)
	if x.used > x.maxSize {
		return fmt.Errorf("%w of %s", ErrTooLarge, byteSize(x.maxSize))
	}
	return nil
}

// byteSize formats n bytes for an error message.
func byteSize(n int64) string {
	for _, u := range []struct {
		shift int
		name  string
	}{{30, "GiB"}, {20, "MiB"}, {10, "KiB"}} {
		if n >= 1<<u.shift && n%(1<<u.shift) == 0 {
			return fmt.Sprintf("%d %s", n>>u.shift, u.name)
		}
	}
	return fmt.Sprintf("%d bytes", n)
}
