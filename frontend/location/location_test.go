package location

import (
	"errors"
	"io/fs"
	"testing"
)

func TestPosString(t *testing.T) {
	tests := []struct {
		p    Pos
		want string
	}{
		{Pos{File: "Dockerfile"}, "Dockerfile"},
		{Pos{File: "Dockerfile", Line: 3}, "Dockerfile:3"},
		{Pos{File: "docker-bake.hcl", Line: 3, Column: 7}, "docker-bake.hcl:3:7"},
		{Pos{File: "x", Column: 7}, "x"}, // a column without a line means nothing
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("%+v: got %q, want %q", tt.p, got, tt.want)
		}
	}
}

func TestErrorWrapsCause(t *testing.T) {
	err := Errorf(Pos{File: "Dockerfile", Line: 2}, "COPY: %w", fs.ErrNotExist)
	if err.Error() != "Dockerfile:2: COPY: file does not exist" {
		t.Errorf("text = %q", err)
	}
	if !errors.Is(err, fs.ErrNotExist) || !Has(err) {
		t.Errorf("cause or location lost: %v", err)
	}
	var le *Error
	if !errors.As(err, &le) || le.Line != 2 {
		t.Errorf("errors.As = %+v", le)
	}
}

func TestWrapKeepsNilAndUnlocated(t *testing.T) {
	if Wrap(Pos{File: "f", Line: 1}, nil) != nil {
		t.Error("nil error located")
	}
	if err := Wrap(Pos{}, fs.ErrClosed); err != fs.ErrClosed || Has(err) {
		t.Errorf("zero position wrapped: %v", err)
	}
}
