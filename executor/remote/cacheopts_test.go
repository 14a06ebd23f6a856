package remote

import (
	"reflect"
	"strings"
	"testing"

	"github.com/moby/buildkit/client"
)

func TestParseCacheOptions(t *testing.T) {
	got, err := ParseCacheOptions([]string{"type=registry,ref=r.example/app:cache,mode=max", "r.example/app:c2", `type=local,"dest=/a,b"`, "type=inline"})
	if err != nil {
		t.Fatal(err)
	}
	want := []client.CacheOptionsEntry{
		{Type: "registry", Attrs: map[string]string{"ref": "r.example/app:cache", "mode": "max"}},
		{Type: "registry", Attrs: map[string]string{"ref": "r.example/app:c2"}},
		{Type: "local", Attrs: map[string]string{"dest": "/a,b"}},
		{Type: "inline", Attrs: map[string]string{}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ParseCacheOptions = %+v\nwant %+v", got, want)
	}
	for spec, msg := range map[string]string{"type=floppy": "unknown cache type", "type=local,dest": "not key=value", "ref=x": "unknown cache type"} {
		if _, err := ParseCacheOptions([]string{spec}); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("ParseCacheOptions(%q) = %v, want %q", spec, err, msg)
		}
	}
}
