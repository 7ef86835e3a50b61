#!/bin/bash
set -Eeuo pipefail
exec "$@"
