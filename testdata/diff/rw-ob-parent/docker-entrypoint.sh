#!/bin/bash
set -e
exec sentry "$@"
