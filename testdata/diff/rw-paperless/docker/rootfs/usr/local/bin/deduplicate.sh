#!/bin/bash
# replace identical files by hard links
set -eu
declare -A seen
while IFS= read -r -d '' f; do
  h=$(sha256sum "$f" | cut -d' ' -f1)
  if [ -n "${seen[$h]:-}" ]; then ln -f "${seen[$h]}" "$f"; else seen[$h]=$f; fi
done < <(find "$1" -type f -print0 | sort -z)
