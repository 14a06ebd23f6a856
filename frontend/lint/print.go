package lint

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
)

// PrintCheck writes results as `docker buildx build --check` does: a count,
// then each warning with its rule, URL, message and the Dockerfile lines it
// points at. A build error is returned, located, as buildx returns it.
func PrintCheck(w io.Writer, res *Results) error {
	n := len(res.Warnings)
	switch {
	case n == 1:
		fmt.Fprintln(w, "Check complete, 1 warning has been found!")
	case n > 1:
		fmt.Fprintf(w, "Check complete, %d warnings have been found!\n", n)
	case res.Error == nil:
		fmt.Fprintln(w, "Check complete, no warnings found.")
	}
	if err := res.PrintTo(w, nil); err != nil {
		return err
	}
	if res.Error != nil {
		var buf bytes.Buffer
		res.PrintErrorTo(&buf, nil)
		return errors.New(strings.TrimRight(buf.String(), "\n"))
	}
	return nil
}

// PrintSummary writes the short list a build prints after it runs, as
// buildx does, with each warning's file:line first.
func PrintSummary(w io.Writer, res *Results) {
	switch n := len(res.Warnings); n {
	case 0:
		return
	case 1:
		fmt.Fprintln(w, "1 warning found:")
	default:
		fmt.Fprintf(w, "%d warnings found:\n", n)
	}
	for _, wr := range res.Warnings {
		fmt.Fprintf(w, " - %s: %s: %s\n", position(res, wr), wr.RuleName, wr.Detail)
	}
}

// position is a warning's file:line.
func position(res *Results, w Warning) string {
	loc := w.Location
	if loc == nil || loc.SourceIndex < 0 || int(loc.SourceIndex) >= len(res.Sources) {
		return "?"
	}
	name := res.Sources[loc.SourceIndex].Filename
	if len(loc.Ranges) == 0 {
		return name
	}
	return fmt.Sprintf("%s:%d", name, loc.Ranges[0].Start.Line)
}
