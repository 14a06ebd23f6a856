package basestore

import (
	"testing"

	"github.com/stencilbuild/stencil/internal/testenv"
)

func TestOpenHoldsBusybox(t *testing.T) {
	s := Open(t, testenv.BusyboxRootfs(t))
	defer s.Close()
	img, _, err := s.Image("busybox:latest")
	if err != nil {
		t.Fatal(err)
	}
	testenv.Validate(t, img)
	cf, err := img.ConfigFile()
	if err != nil || !cf.Created.Equal(Epoch) {
		t.Errorf("created %v (%v), want %v", cf.Created, err, Epoch)
	}
}
