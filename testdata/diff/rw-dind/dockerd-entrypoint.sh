#!/bin/sh
set -eu
exec dockerd "$@"
