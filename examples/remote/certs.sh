#!/bin/sh
# certs.sh — a CA, a server certificate for the builders (valid for the
# names the compose file and the load balancer use) and a client
# certificate, in ./certs. For a real fleet use your own PKI.
set -eu
cd "$(dirname "$0")"
mkdir -p certs && cd certs
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 365 \
	-subj /CN=stencil-buildkit-ca -keyout ca-key.pem -out ca.pem
sign() { # name subject-alt-names extended-key-usage
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$1" \
		-keyout "$1-key.pem" -out "$1.csr"
	printf 'subjectAltName=%s\nextendedKeyUsage=%s\n' "$2" "$3" >"$1.ext"
	openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 365 \
		-extfile "$1.ext" -out "$1.pem"
	rm "$1.csr" "$1.ext"
}
sign server "DNS:localhost,DNS:buildkitd-0,DNS:buildkitd-1,DNS:buildkitd-2,DNS:lb,IP:127.0.0.1" serverAuth
sign client "DNS:client" clientAuth
