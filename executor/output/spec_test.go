package output

import (
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want Spec
	}{
		{"type=oci,dest=out.tar", Spec{Type: TypeOCI, Dest: "out.tar", Tar: true}},
		{"type=oci,dest=out", Spec{Type: TypeOCI, Dest: "out"}},
		{"type=oci,dest=out.tar,tar=false", Spec{Type: TypeOCI, Dest: "out.tar"}},
		{"type=oci,dest=archive,tar=true", Spec{Type: TypeOCI, Dest: "archive", Tar: true}},
		{"type=docker,dest=x.tar,name=repo:tag", Spec{Type: TypeDocker, Dest: "x.tar", Names: []string{"repo:tag"}}},
		{`type=docker,dest=x.tar,"name=a:1,b:2"`, Spec{Type: TypeDocker, Dest: "x.tar", Names: []string{"a:1", "b:2"}}},
		{"type=local,dest=rootfs", Spec{Type: TypeLocal, Dest: "rootfs"}},
		{"TYPE=Local, dest=rootfs", Spec{Type: TypeLocal, Dest: "rootfs"}},
		{"out/dir", Spec{Type: TypeLocal, Dest: "out/dir"}},
		{"type=image", Spec{Type: TypeImage}},
		{"type=image,name=app:v1,push=true", Spec{Type: TypeImage, Names: []string{"app:v1"}, Push: true}},
		{"type=registry,name=reg/app", Spec{Type: TypeRegistry, Names: []string{"reg/app"}}},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Parse(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "empty spec"},
		{"-", "stdout is not supported"},
		{"type=oci,dest=-", `dest "-" (stdout) is not supported`},
		{"type=oci", `missing key "dest"`},
		{"type=local,dest=x,compression=zstd", `unknown key "compression" for type local`},
		{"type=docker,dest=x.tar,tar=true", `unknown key "tar" for type docker`},
		{"type=cacheonly,dest=x", `unknown key "dest" for type cacheonly`},
		{"dest=x", `missing key "type"`},
		{"type=oci,dest=x,dest=y", `key "dest" given twice`},
		{"type=oci,dest=x,tar=maybe", `key "tar": want true or false`},
		{"type=oci,dest", `field "dest": want key=value`},
		{`type=oci,"dest=x`, "split fields"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%q) error = %v, want it to contain %q", tt.in, err, tt.want)
		}
	}
}

func TestDockerWithoutDestIsTheLocalStore(t *testing.T) {
	s, err := Parse("type=docker")
	if err != nil || s.Type != TypeImage {
		t.Errorf("type=docker without dest: %+v, %v; want the local store (type image)", s, err)
	}
	if s, err := Parse("type=docker,dest=x.tar"); err != nil || s.Type != TypeDocker {
		t.Errorf("type=docker with dest: %+v, %v", s, err)
	}
}
