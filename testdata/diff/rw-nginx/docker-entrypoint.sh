#!/bin/sh
set -e
for f in /docker-entrypoint.d/*; do "$f"; done
exec "$@"
