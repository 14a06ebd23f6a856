package executor

import (
	"slices"
	"testing"
)

// TestCopyLinkSurvivesRebase: a COPY --link step whose parent changed is
// not run again and its layer is the same blob; without --link it runs.
func TestCopyLinkSurvivesRebase(t *testing.T) {
	f := newFixture(t)
	f.file("app.txt", "app\n", 0o644)
	df := func(v, link string) string {
		return "FROM busybox:latest\nRUN echo " + v + " > /base\nCOPY " + link + "app.txt /srv/\n"
	}
	first := f.build(nil, f.target("l", df("1", "--link ")))
	second := f.build(nil, f.target("l", df("2", "--link ")))
	if ran := f.rec.ran(); !slices.Equal(ran, []string{"RUN echo 2 > /base"}) {
		t.Errorf("after the rebase ran %q; want only the changed RUN", ran)
	}
	a, _ := lastLayer(t, first[0].Image).Digest()
	b, _ := lastLayer(t, second[0].Image).Digest()
	if a != b {
		t.Errorf("the linked layer was rewritten: %s then %s", a, b)
	}
	f.build(nil, f.target("l", df("3", "")))
	if ran := f.rec.ran(); len(ran) != 2 {
		t.Errorf("without --link ran %q; want the RUN and the COPY", ran)
	}
}
