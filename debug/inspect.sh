#!/bin/sh
# inspect: print what the debug image knows about its environment.
env | sort
ls -la /opt/myapp
