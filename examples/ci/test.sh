#!/bin/sh
# The app's tests: they run in the "test" target, at build time.
set -e
[ "$(./greet.sh)" = "hello from stencil" ]
[ "$(NAME=ci ./greet.sh)" = "hello from ci" ]
echo "all tests passed"
