package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	units "github.com/docker/go-units"
	"github.com/spf13/pflag"
	"golang.org/x/sys/unix"

	"github.com/stencilbuild/stencil/cache"
)

var pruneCommand = command{
	name: "prune", args: "",
	short: "Remove build cache no tagged image uses (step records, snapshots, blobs; cache mounts with --all)",
	example: `  stencil rmi myapp_debug && stencil prune
  stencil prune --all
  stencil prune --keep-storage 10GB
  stencil prune --filter until=24h`,
	new: func() options { return &pruneOptions{} },
}

type pruneOptions struct {
	all         bool
	force       bool
	keepStorage string
	filters     []string
	opts        cache.PruneOptions
}

func (o *pruneOptions) AddFlags(fs *pflag.FlagSet) {
	fs.BoolVarP(&o.all, "all", "a", false, "remove cache mounts too")
	fs.BoolVarP(&o.force, "force", "f", false, "do not prompt for confirmation (stencil never prompts)")
	fs.StringVar(&o.keepStorage, "keep-storage", "", "remove least recently used cache only until the store is at most this size (e.g. 10GB)")
	fs.StringArrayVar(&o.filters, "filter", nil, "remove only what matches: until=DURATION (not used for that long, e.g. 24h)")
}

func (o *pruneOptions) Validate(args []string) error {
	if len(args) != 0 {
		return errors.New("takes no arguments")
	}
	o.opts.All = o.all
	if o.keepStorage != "" {
		n, err := units.RAMInBytes(o.keepStorage)
		if err != nil || n <= 0 {
			return fmt.Errorf("invalid --keep-storage %q: want a size such as 512MB or 10GB", o.keepStorage)
		}
		o.opts.KeepStorage = n
	}
	for _, f := range o.filters {
		k, v, _ := strings.Cut(f, "=")
		d, err := time.ParseDuration(v)
		if k != "until" || err != nil || d <= 0 {
			return fmt.Errorf("invalid --filter %q: want until=DURATION (e.g. until=24h)", f)
		}
		o.opts.Until = d
	}
	return nil
}

func (o *pruneOptions) Run(_ context.Context, e *env, _ []string) error {
	return withStore(e, func(s *cache.Store) error {
		rep, err := s.Prune(o.opts)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Removed %d step records, %d snapshots, %d blobs, %d cache mounts\nTotal:\t%s\n",
			rep.Steps, rep.Snapshots, rep.Blobs, rep.Mounts, humanSize(rep.Bytes))
		return nil
	})
}

var duCommand = command{
	name: "du", args: "",
	short:   "Show the store's disk usage by kind and what prune can reclaim",
	example: "  stencil du\n  stencil du --verbose",
	new:     func() options { return &duOptions{} },
}

type duOptions struct{ verbose bool }

func (o *duOptions) AddFlags(fs *pflag.FlagSet) {
	fs.BoolVar(&o.verbose, "verbose", false, "list every item (kind, id, reclaimable, size, last used)")
}

func (o *duOptions) Validate(args []string) error {
	if len(args) != 0 {
		return errors.New("takes no arguments")
	}
	return nil
}

func (o *duOptions) Run(_ context.Context, e *env, _ []string) error {
	return withStore(e, func(s *cache.Store) error {
		items, err := s.DiskUsage()
		if err != nil {
			return err
		}
		if o.verbose {
			printItems(e.stdout, items)
		}
		printUsage(e.stdout, items)
		return nil
	})
}

// kindOrder is the order du reports kinds in.
var kindOrder = []string{cache.KindLayer, cache.KindSnapshot, cache.KindStep, cache.KindCacheMount}

// printUsage writes one line per kind and the totals, as buildx du's
// summary.
func printUsage(w io.Writer, items []cache.UsageItem) {
	tw := tabwriter.NewWriter(w, 0, 4, 3, ' ', 0)
	fmt.Fprintln(tw, "KIND\tCOUNT\tSIZE\tRECLAIMABLE")
	var total, free int64
	for _, k := range kindOrder {
		var n int
		var size, rec int64
		for _, it := range items {
			if it.Kind == k {
				n, size = n+1, size+it.Size
				if it.Reclaimable {
					rec += it.Size
				}
			}
		}
		total, free = total+size, free+rec
		fmt.Fprintf(tw, "%ss\t%d\t%s\t%s\n", k, n, humanSize(size), humanSize(rec))
	}
	fmt.Fprintf(tw, "\nReclaimable:\t%s\nTotal:\t%s\n", humanSize(free), humanSize(total))
	tw.Flush()
}

// printItems lists every item, least recently used first.
func printItems(w io.Writer, items []cache.UsageItem) {
	items = slices.Clone(items)
	slices.SortStableFunc(items, func(a, b cache.UsageItem) int {
		return cmp.Or(a.LastUsed.Compare(b.LastUsed), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.ID, b.ID))
	})
	tw := tabwriter.NewWriter(w, 0, 4, 3, ' ', 0)
	fmt.Fprintln(tw, "KIND\tID\tRECLAIMABLE\tSIZE\tLAST USED")
	for _, it := range items {
		used := ""
		if !it.LastUsed.IsZero() {
			used = it.LastUsed.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%.12s\t%v\t%s\t%s\n", it.Kind, it.ID, it.Reclaimable, humanSize(it.Size), used)
	}
	fmt.Fprintln(tw)
	tw.Flush()
}

// gcKeepEnv overrides config.json's "gckeepstorage", the size automatic
// GC keeps the store under after each build.
const gcKeepEnv = "STENCIL_GC_KEEP_STORAGE"

// defaultGCKeep is buildkitd's default gckeepstorage: 10% of the disk.
const defaultGCKeep = "10%"

// gcKeep resolves the automatic GC bound for a store at root (0: off).
func (b *builderFlags) gcKeep(root string) (int64, error) {
	spec, src := os.Getenv(gcKeepEnv), "$"+gcKeepEnv
	if spec == "" {
		c, err := b.readConfig()
		if err != nil {
			return 0, err
		}
		spec, src = cmp.Or(c.GCKeep, defaultGCKeep), `config.json "gckeepstorage"`
	}
	n, err := keepStorage(root, spec)
	if err != nil {
		return 0, fmt.Errorf("invalid %s %q: want a size (20GB), a share of the disk (10%%) or off", src, spec)
	}
	return n, nil
}

// keepStorage parses a GC bound: a size, a percentage of the filesystem
// holding root (or its nearest existing parent), or off (0).
func keepStorage(root, spec string) (int64, error) {
	if spec == "off" || spec == "0" {
		return 0, nil
	}
	pct, ok := strings.CutSuffix(spec, "%")
	if !ok {
		n, err := units.RAMInBytes(spec)
		if err == nil && n <= 0 {
			err = errors.New("not positive")
		}
		return n, err
	}
	p, err := strconv.ParseFloat(pct, 64)
	if err != nil || p <= 0 || p > 100 {
		return 0, errors.New("bad percentage")
	}
	var st unix.Statfs_t
	for dir := root; ; dir = filepath.Dir(dir) {
		if err = unix.Statfs(dir, &st); err == nil || dir == filepath.Dir(dir) {
			break
		}
	}
	return int64(float64(st.Blocks) * float64(st.Bsize) * p / 100), err
}

// autoGC keeps the store under keep after a build, least recently used
// cache first, as buildkitd's GC policy. Another process using the store
// makes it skip (that build collects when it ends); a failure is a
// warning, never the build's.
func (e *env) autoGC(s *cache.Store, keep int64) {
	if keep <= 0 {
		return
	}
	rep, err := s.Prune(cache.PruneOptions{KeepStorage: keep})
	switch {
	case errors.Is(err, cache.ErrBusy):
	case err != nil:
		fmt.Fprintf(e.stderr, "warning: automatic gc: %v\n", err)
	case rep.Steps+rep.Mounts > 0:
		fmt.Fprintf(e.stderr, "gc: removed %d step records, %d snapshots, %d blobs (%s) to keep the store under %s\n",
			rep.Steps, rep.Snapshots, rep.Blobs, humanSize(rep.Bytes), humanSize(keep))
	}
}
