#!/bin/sh
if [ "$1" != "${1#-}" ]; then set -- deno "$@"; fi
exec "$@"
