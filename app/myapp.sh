#!/bin/sh
# myapp: a tiny service. It reports its build and, with --serve, answers
# HTTP on $PORT with busybox httpd.
set -e
here=$(dirname "$0")
mode=${APP_MODE:-unknown}
version=$(cat "$here/VERSION" 2>/dev/null || echo unknown)
echo "myapp $mode build, version $version, running as $(id -un)"
if [ "$1" = "--debug" ]; then
	echo "debug: tools: $(ls "$here/debug" | tr '\n' ' ')"
fi
if [ "$1" = "--serve" ]; then
	exec httpd -f -p "${PORT:-8080}" -h "$here/www"
fi
