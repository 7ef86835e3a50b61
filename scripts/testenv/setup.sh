#!/usr/bin/env bash
# Test environment for slipway's integration tests (run as root by ./scripts/test before vitest).
# Idempotent: re-running reuses what exists and (re)starts what is not running.
#   - installs the Debian packages the tests use (only those missing)
#   - builds a deterministic busybox OCI image in .tmp/testenv/images/busybox
#   - starts two CNCF distribution registries on loopback:
#       127.0.0.1:5100  plain, no auth
#       127.0.0.1:5101  htpasswd Basic auth (testuser / testpass)
#   - pushes library/busybox:latest (OCI) to both and library/busybox:v2s2 (Docker schema2)
#   - writes .tmp/testenv/env.json for test/helpers/testenv.ts
# Under CI=true any failure is fatal; otherwise a failure is reported and the tests that need
# the environment fail with the message from env.json / its absence.
set -euo pipefail
umask 022
REPO=$(cd "$(dirname "$0")/../.." && pwd)
STATE=${SLIPWAY_TESTENV:-$REPO/.tmp/testenv}
PLAIN_PORT=5100; AUTH_PORT=5101
USER_=testuser; PASS_=testpass
T0=$(date +%s)
log() { echo "[testenv +$(( $(date +%s)-T0 ))s] $*"; }
fail() {
  echo "[testenv] ERROR: $*" >&2
  mkdir -p "$STATE"; rm -f "$STATE/env.json"
  printf '%s\n' "$*" > "$STATE/error.txt"
  if [ "${CI:-}" = true ]; then exit 1; fi
  echo "[testenv] continuing without a test environment: integration tests will fail" >&2
  exit 0
}
trap 'fail "setup.sh failed at line $LINENO (command: $BASH_COMMAND)"' ERR
mkdir -p "$STATE"/{registry,images,rootfs,logs}
rm -f "$STATE/error.txt"

# 1. packages (only the missing ones) --------------------------------------------------
PKGS=(docker-registry apache2-utils skopeo umoci oci-image-tool busybox-static jq runc crun uidmap attr zstd curl openssl
      bzip2 xz-utils git bsdutils util-linux gzip tar)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || fail "missing packages ${missing[*]} and not root (run: apt-get install ${missing[*]})"
  log "installing ${missing[*]}"
  apt-get update >"$STATE/logs/apt-update.log" 2>&1 || fail "apt-get update failed (see $STATE/logs/apt-update.log)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" \
    >"$STATE/logs/apt-install.log" 2>&1 || fail "apt-get install failed (see $STATE/logs/apt-install.log)"
fi

# 2. deterministic busybox image ----------------------------------------------------------
BB=$STATE/rootfs/busybox
LAYOUT=$STATE/images/busybox
if [ ! -f "$LAYOUT/index.json" ] || [ ! -x "$BB/bin/busybox" ]; then
  log "building busybox rootfs + OCI image"
  rm -rf "$BB" "$LAYOUT"
  mkdir -p "$BB"/{bin,sbin,usr/bin,usr/sbin,etc,tmp,root,proc,sys,dev,home,var}
  cp /bin/busybox "$BB/bin/busybox"
  # absolute symlinks -> /bin/busybox, made without chroot so it works unprivileged too
  for applet in $(/bin/busybox --list-full); do
    [ -e "$BB/$applet" ] || [ -L "$BB/$applet" ] || ln -s /bin/busybox "$BB/$applet"
  done
  chmod 1777 "$BB/tmp"; chmod 700 "$BB/root"
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$BB/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$BB/etc/group"
  "$REPO/scripts/testenv/mkimage.sh" "$BB" "$LAYOUT.tmp" latest sh >/dev/null
  mv "$LAYOUT.tmp" "$LAYOUT"
fi
BUSYBOX_DIGEST=$(jq -r '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"]=="latest") | .digest' "$LAYOUT/index.json")

# 3. registries -------------------------------------------------------------------------
R=$STATE/registry
mkdir -p "$R"/{data,data-auth}
[ -f "$R/htpasswd" ] || htpasswd -Bbc "$R/htpasswd" "$USER_" "$PASS_" 2>/dev/null
regconf() { # name port datadir extra-yaml
  cat > "$R/config-$1.yml" <<YML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $R/$3
  delete:
    enabled: true
  cache:
    blobdescriptor: inmemory
http:
  addr: 127.0.0.1:$2
  secret: slipway-testenv-not-secret
$4
YML
}
regconf plain $PLAIN_PORT data ""
regconf auth $AUTH_PORT data-auth "auth:
  htpasswd:
    realm: slipway-testenv
    path: $R/htpasswd"

answers() { # port -> prints the HTTP status of /v2/
  curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$1/v2/" 2>/dev/null || true
}
alive() { # pidfile
  local pid; pid=$(cat "$1" 2>/dev/null) || return 1
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q docker-registry
}
start_registry() { # name port want-status
  local pidf=$STATE/registry-$1.pid
  if alive "$pidf" && [ "$(answers "$2")" = "$3" ]; then return; fi
  # Something else (e.g. a registry started from another checkout) already serves the port:
  # reuse it when it answers like ours; the pushes below make its content right.
  if [ "$(answers "$2")" = "$3" ]; then log "reusing the registry already on 127.0.0.1:$2"; return; fi
  setsid nohup docker-registry serve "$R/config-$1.yml" >"$STATE/logs/registry-$1.log" 2>&1 </dev/null &
  echo $! > "$pidf"
  for _ in $(seq 100); do
    [ "$(answers "$2")" = "$3" ] && return
    sleep 0.1
  done
  fail "registry $1 did not answer on 127.0.0.1:$2 (see $STATE/logs/registry-$1.log)"
}
start_registry plain $PLAIN_PORT 200
start_registry auth $AUTH_PORT 401
log "registries up"

# 4. base images into the registries ------------------------------------------------------
skopeo copy -q oci:"$LAYOUT:latest" docker://127.0.0.1:$PLAIN_PORT/library/busybox:latest --dest-tls-verify=false
skopeo copy -q --format v2s2 oci:"$LAYOUT:latest" docker://127.0.0.1:$PLAIN_PORT/library/busybox:v2s2 --dest-tls-verify=false
skopeo copy -q --dest-creds "$USER_:$PASS_" oci:"$LAYOUT:latest" docker://127.0.0.1:$AUTH_PORT/library/busybox:latest --dest-tls-verify=false
skopeo copy -q --dest-creds "$USER_:$PASS_" --format v2s2 oci:"$LAYOUT:latest" docker://127.0.0.1:$AUTH_PORT/library/busybox:v2s2 --dest-tls-verify=false
V2S2_DIGEST=$(skopeo inspect --raw --tls-verify=false docker://127.0.0.1:$PLAIN_PORT/library/busybox:v2s2 | sha256sum | cut -d' ' -f1)
log "images pushed"

# 5. env.json ------------------------------------------------------------------------------
jq -n --arg state "$STATE" --arg plain "127.0.0.1:$PLAIN_PORT" --arg auth "127.0.0.1:$AUTH_PORT" \
  --arg user "$USER_" --arg pass "$PASS_" --arg layout "$LAYOUT" --arg rootfs "$BB" \
  --arg bbdigest "$BUSYBOX_DIGEST" --arg v2s2 "sha256:$V2S2_DIGEST" '{
  state: $state,
  registries: { plain: $plain, auth: $auth },
  auth: { username: $user, password: $pass },
  images: {
    busybox: { layout: $layout, rootfs: $rootfs, tag: "latest", manifestDigest: $bbdigest,
               repository: "library/busybox", v2s2Tag: "v2s2", v2s2ManifestDigest: $v2s2 }
  },
  tools: { skopeo: "/usr/bin/skopeo", umoci: "/usr/bin/umoci", ociImageTool: "/usr/bin/oci-image-tool",
           runc: "/usr/sbin/runc", crun: "/usr/bin/crun" }
}' > "$STATE/env.json.tmp"
mv "$STATE/env.json.tmp" "$STATE/env.json"
log "ready: plain http://127.0.0.1:$PLAIN_PORT, basic-auth http://127.0.0.1:$AUTH_PORT ($USER_/$PASS_), busybox $BUSYBOX_DIGEST"
