#!/usr/bin/env bash
# mkimage.sh ROOTFS_DIR OCI_LAYOUT_DIR TAG [CMD]
# Writes a deterministic single-layer OCI image into an OCI layout (sorted tar, mtime 0,
# numeric owners, gzip -n, fixed created time): the same rootfs always gives the same digest.
# Prints the manifest digest.
set -euo pipefail
ROOTFS=$1; LAYOUT=$2; TAG=$3; CMD=${4:-sh}
ARCH=amd64
mkdir -p "$LAYOUT/blobs/sha256"
echo '{"imageLayoutVersion":"1.0.0"}' > "$LAYOUT/oci-layout"
[ -f "$LAYOUT/index.json" ] || echo '{"schemaVersion":2,"manifests":[]}' > "$LAYOUT/index.json"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
tar -C "$ROOTFS" --sort=name --mtime=@0 --numeric-owner --owner=0 --group=0 --format=posix \
    --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
    -cf "$tmp/layer.tar" $(cd "$ROOTFS" && find . -mindepth 1 -maxdepth 1 -printf '%P\n' | LC_ALL=C sort)
diffid=$(sha256sum "$tmp/layer.tar" | cut -d' ' -f1)
gzip -n -6 -c "$tmp/layer.tar" > "$tmp/layer.tar.gz"
ldig=$(sha256sum "$tmp/layer.tar.gz" | cut -d' ' -f1); lsize=$(stat -c %s "$tmp/layer.tar.gz")
mv "$tmp/layer.tar.gz" "$LAYOUT/blobs/sha256/$ldig"
jq -cn --arg arch "$ARCH" --arg diff "sha256:$diffid" --arg cmd "$CMD" '{
  created:"1970-01-01T00:00:00Z", architecture:$arch, os:"linux",
  config:{Env:["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], Cmd:[$cmd]},
  rootfs:{type:"layers", diff_ids:[$diff]},
  history:[{created:"1970-01-01T00:00:00Z", created_by:"slipway testenv mkimage.sh"}]}' > "$tmp/config.json"
cdig=$(sha256sum "$tmp/config.json" | cut -d' ' -f1); csize=$(stat -c %s "$tmp/config.json")
mv "$tmp/config.json" "$LAYOUT/blobs/sha256/$cdig"
jq -cn --arg cd "sha256:$cdig" --argjson cs "$csize" --arg ld "sha256:$ldig" --argjson ls "$lsize" '{
  schemaVersion:2, mediaType:"application/vnd.oci.image.manifest.v1+json",
  config:{mediaType:"application/vnd.oci.image.config.v1+json", digest:$cd, size:$cs},
  layers:[{mediaType:"application/vnd.oci.image.layer.v1.tar+gzip", digest:$ld, size:$ls}]}' > "$tmp/manifest.json"
mdig=$(sha256sum "$tmp/manifest.json" | cut -d' ' -f1); msize=$(stat -c %s "$tmp/manifest.json")
mv "$tmp/manifest.json" "$LAYOUT/blobs/sha256/$mdig"
jq -c --arg md "sha256:$mdig" --argjson ms "$msize" --arg tag "$TAG" --arg arch "$ARCH" '
  .manifests = ([.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] != $tag)] +
  [{mediaType:"application/vnd.oci.image.manifest.v1+json", digest:$md, size:$ms,
    annotations:{"org.opencontainers.image.ref.name":$tag}, platform:{architecture:$arch, os:"linux"}}])' \
  "$LAYOUT/index.json" > "$tmp/index.json"
mv "$tmp/index.json" "$LAYOUT/index.json"
echo "sha256:$mdig"
