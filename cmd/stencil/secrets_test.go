package main

import (
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"
)

const cliSecret = "cli-S3cret-4b1d"

// secretDockerfile fails unless the secret arrives, without holding it.
func secretDockerfile() string {
	sum := fmt.Sprintf("%x", sha256.Sum256([]byte(cliSecret)))
	return "FROM busybox:latest\nRUN --mount=type=secret,id=tok,required sha256sum /run/secrets/tok | grep -q " + sum + "\n"
}

func TestBuildSecretFromFileAndBakeSecretFromEnv(t *testing.T) {
	p := newProject(t, ".")
	p.write("Dockerfile", secretDockerfile())
	p.write("tok.txt", cliSecret)
	_, errOut := p.must("build", "--progress=plain", "--secret", "id=tok,src=tok.txt", "-t", "s:1", ".")
	t.Setenv("STENCIL_TEST_TOK", cliSecret)
	p.write("build.hcl", "target \"a\" {\n  secret = [\"id=tok,env=STENCIL_TEST_TOK\"]\n  no-cache = true\n}\n")
	_, bakeErr := p.must("bake", "--progress=plain", "a")
	planOut, _ := p.must("plan", "--format=json", "a")
	for what, out := range map[string]string{"build output": errOut, "bake output": bakeErr, "plan": planOut} {
		if strings.Contains(out, cliSecret) {
			t.Errorf("the secret is in the %s", what)
		}
	}
}

func TestParseSecret(t *testing.T) {
	tests := []struct{ spec, want string }{
		{"id=a,src=f", "{a f }"},
		{"id=a,source=f,type=file", "{a f }"},
		{"id=a,env=V", "{a  V}"},
		{"type=env,id=a,src=V", "{a  V}"},
		{"id=a", "{a  }"},
		{"src=f", "error"},
		{"id=a,bogus=1", "error"},
		{"id=a,type=ssh", "error"},
		{"id", "error"},
	}
	for _, tt := range tests {
		s, err := parseSecret(tt.spec)
		got := fmt.Sprint(s)
		if err != nil {
			got = "error"
		}
		if got != tt.want {
			t.Errorf("parseSecret(%q) = %s (%v), want %s", tt.spec, got, err, tt.want)
		}
	}
}
