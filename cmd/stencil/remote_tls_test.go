package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stencilbuild/stencil/internal/testenv"
)

// TestRemoteMutualTLS builds on a buildkitd that listens on tcp with mTLS
// (certificates made here), and is refused, in one line and with the
// store untouched, with a client certificate from another CA.
func TestRemoteMutualTLS(t *testing.T) {
	dir := t.TempDir()
	ca := newCA(t, "stencil test CA")
	ca.write(t, dir, "ca")
	ca.issue(t, "server", true).write(t, dir, "server")
	ca.issue(t, "client", false).write(t, dir, "client")
	newCA(t, "other CA").issue(t, "intruder", false).write(t, dir, "intruder")
	addr := "tcp://" + freeLoopback(t)
	certFile := func(n string) string { return filepath.Join(dir, n+".pem") }
	keyFile := func(n string) string { return filepath.Join(dir, n+"-key.pem") }
	testenv.Buildkitd(t, testenv.BuildkitdOptions{Addr: addr, TLSCA: certFile("ca"), TLSCert: certFile("server"), TLSKey: keyFile("server"),
		ClientCert: certFile("client"), ClientKey: keyFile("client")})

	p := newProject(t, ".")
	p.write("Dockerfile", "FROM busybox:latest\nRUN echo over-tls > /proof\n")
	p.must("build", "-t", "tls-built", "--builder", addr,
		"--builder-tls-ca", certFile("ca"), "--builder-tls-cert", certFile("client"), "--builder-tls-key", keyFile("client"), ".")
	if got := fileOf(t, p, "tls-built", "proof"); got != "over-tls" {
		t.Errorf("/proof = %q", got)
	}
	before := storeListing(t, p.root)
	_, errOut, code := p.stencil("build", "-t", "refused", "--builder", addr,
		"--builder-tls-ca", certFile("ca"), "--builder-tls-cert", certFile("intruder"), "--builder-tls-key", keyFile("intruder"), ".")
	if code == 0 || !strings.Contains(errOut, addr) || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
		t.Errorf("foreign client certificate: exit %d, stderr %q, want one line naming the builder", code, errOut)
	}
	if after := storeListing(t, p.root); !slices.Equal(before, after) {
		t.Errorf("a refused build changed the store")
	}
}

// freeLoopback is a free 127.0.0.1 port.
func freeLoopback(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// keyPair is a certificate and its key.
type keyPair struct {
	cert *x509.Certificate
	der  []byte
	key  *ecdsa.PrivateKey
}

func newCA(t *testing.T, cn string) *keyPair {
	tmpl := certTemplate(cn)
	tmpl.IsCA, tmpl.BasicConstraintsValid = true, true
	tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature
	return sign(t, tmpl, nil)
}

// issue signs a server (127.0.0.1) or client certificate with ca.
func (ca *keyPair) issue(t *testing.T, cn string, server bool) *keyPair {
	tmpl := certTemplate(cn)
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	if server {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1)}
	}
	return sign(t, tmpl, ca)
}

func certTemplate(cn string) *x509.Certificate {
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	return &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
}

// sign makes a key and signs tmpl with parent (nil: self-signed).
func sign(t *testing.T, tmpl *x509.Certificate, parent *keyPair) *keyPair {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, issuer := key, tmpl
	if parent != nil {
		signer, issuer = parent.key, parent.cert
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, issuer, &key.PublicKey, signer)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &keyPair{cert: cert, der: der, key: key}
}

// write stores NAME.pem and NAME-key.pem in dir.
func (k *keyPair) write(t *testing.T, dir, name string) {
	t.Helper()
	keyDER, err := x509.MarshalECPrivateKey(k.key)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]*pem.Block{name + ".pem": {Type: "CERTIFICATE", Bytes: k.der},
		name + "-key.pem": {Type: "EC PRIVATE KEY", Bytes: keyDER}}
	for f, b := range files {
		if err := os.WriteFile(filepath.Join(dir, f), pem.EncodeToMemory(b), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}
