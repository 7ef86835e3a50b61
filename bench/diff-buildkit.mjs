#!/usr/bin/env node
// Differential test: builds each testdata/diff/<case> with the refenv dockerd's BuildKit and
// with Slipway, unpacks both images with umoci (owners kept), and prints per case the rootfs
// differences (type, mode incl. special bits, uid/gid, size, sha256, link target, nlink; no
// mtimes) and the image-config differences. Needs the refenv (dockerd, registry on :5000),
// skopeo and umoci, so it is not part of the test suite.
//   node bench/diff-buildkit.mjs [case ...] [--keep]
//
// The reference is docker 20.10's built-in BuildKit, older than current moby/buildkit. Where
// they differ Slipway follows current BuildKit, so these differences are expected (last run:
// no others remain):
//  - history: current writes `--chown=`/`--chmod=` into COPY/ADD created_by (convert_copy.go),
//    `ARG K=<value>` for an ARG given by --build-arg or inherited from the global scope,
//    `EXPOSE %v` of the port list (not `map[...]`), `HEALTHCHECK %+v` of the config value; an ARG
//    declared twice appears once in a RUN's `|N K=v` (runCommandString dedupes); a stage built
//    FROM another stage inherits its build args (d.init), so its RUNs list them;
//  - a global `ARG TARGETARCH` without a value keeps the automatic platform value (buildMetaArgs);
//  - 20.10 shares a base stage's Labels/ExposedPorts/Volumes between two stages built FROM it
//    (buildkit#6712, fixed by #6713); Slipway keeps them apart (cfg-sibling-maps);
//  - 20.10 lacks HEALTHCHECK --start-interval and RUN --network, and rejects --retries=0; it
//    cannot export an image with no layers; it fails an image's ONBUILD COPY --from=<stage> /
//    RUN --mount from=<stage> (current BuildKit registers the trigger's deps: ms-obdeps-child
//    builds a Dockerfile.ref); it refuses bad RUN --mount options in stages it does not build
//    (current parseMount checks them when the RUN is dispatched);
//  - ADD --chmod of a URL: current BuildKit applies it (CopyInfo{Mode} in convert_copy.go's HTTP
//    branch), 20.10 ignores it and leaves 0600 (ad-url-chmod builds a Dockerfile.ref);
//  - COPY --chmod=4755 keeps the setuid bit (fsutil#168, buildkit#3920; 20.10 drops it), and
//    --chmod=NNN drops the source's special bits unless NNN has them (20.10 kept them);
//  - COPY --from of device nodes and fifos makes devices and fifos (fsutil#123, buildx#1027; 20.10
//    made devices empty files and skipped fifos); sockets become empty files (run-special,
//    run-ids, cp-special-src);
//  - .dockerignore `**`, `!src`, `src/in/s`, `!src/in`: current fsutil (MatchesUsingParentResults)
//    excludes src/in/s, 20.10 included it (cp-dockerignore-all);
//  - `COPY f /dot/.` copies into /dot/ (NormalizePath keeps the `/.`); 20.10 wrote a file /dot;
//  - RUN mount points created only for the step are removed afterwards, recursively (executor
//    MountStubsCleaner; 20.10 leaves /cache, /mnt/src, … as empty dirs, and a FROM scratch
//    RUN's /etc made only for the hosts stub: run-scratch);
//  - after `RUN chown … /` the next step's / keeps that owner (containerd's overlay snapshotter
//    chowns a new snapshot to its parent's owner; 20.10 showed 0:0: run-root-owner);
//  - a file of a lower layer that a RUN only hardlinks is not in the new layer (the overlay
//    differ's sameDirent skips copy-ups; 20.10's graphdriver diff includes them), so the
//    link becomes a plain file (nlink 1);
//  - RUN gets the primary gid among its supplementary groups (ensureAdditionalGids), so
//    busybox `id` prints `groups=0(root)`;
//  - COPY/ADD --chmod=<octal> makes the destination's missing directories with that mode
//    (fsutil#228/#248, buildkit#4945, BuildKit's testCopyChmod; 20.10 made them 0755:
//    fx-chmod-parents, fo-chmod-dirs, fo-misc, hm-copy-heredocs, cp-chown-parents, …);
//  - ADD --chown of a local archive owns every extracted entry (buildkit#5987, v0.23; 20.10
//    owned only the created directory: add-tar-chown, fo-add-tar-parents);
//  - --chown=<name> or WORKDIR under a named USER with no /etc/passwd or /etc/group: current
//    BuildKit reads the missing file as empty (buildkit#2249), 20.10 fails (fo-chown-nodb);
//  - --chmod=$VAR and RUN --mount fields are expanded (buildkit#5151), a JSON form followed by
//    more text is shell form (buildkit#5107), `${v#p}`/`${v%p}`/`${v/p/r}` and the forms without
//    a colon exist, ARG defaults are not Expand()ed (`ARG A=1 B=$A` gives B=1; `ARG "D"=5`
//    declares `"D"`; an overridden default is not expanded), HEALTHCHECK --timeout=0s is accepted
//    (fx-expand-newer, fx-json-trailing, fx-modifiers, fx-lexer-nocolon build a Dockerfile.ref;
//    fx-arg-chain, fx-arg-forms, fx-arg-override-noexpand);
//  - RUN runs under BuildKit's default seccomp profile there (Seccomp: 2) and none here
//    (rx-proc /seccomp.txt); resolv.conf is written back without comments (rx-*); 20.10 ignores
//    --ulimit and --shm-size (rx-ulimit: 3 differences);
//  - ADD of a zstd tarball extracts it (archiveutil falls back to containerd's DecompressStream;
//    20.10 copied the file: rw-java-add); `ARG TARGETARCH` in a stage is written with its value
//    (`ARG TARGETARCH=amd64`: platform args are meta args in dispatchArg, rw-paperless); a RUN
//    whose program cannot be started fails with `exit code: 1` and runc's message in its log
//    (runcexecutor's exitError; rw-err-exec-missing).
//  - 20.10 fails a COPY source reached through a parent symlink to / (ci-link-dotdot: "not found");
//    current contenthash's getFollowLinksCallback resolves it, as Slipway does; context fifos and
//    devices become fifos and devices (as COPY --from above), and xattrs (security.capability
//    included) are transferred, which 20.10 dropped (the tool does not compare xattrs).
// fx-build-args-empty wants FROMENV=from-env in the environment (without it that arg is dropped).
// The refenv BuildKit reuses its snapshot of a case's context: a chmod-only change to a case's
// files is not seen on a rerun (use a new case name).
// heredoc, link and parents-exclude use syntax the 20.10 frontend lacks: the reference builds
// their Dockerfile.ref (an equivalent without it) and only the rootfs is compared.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const repo = new URL('..', import.meta.url).pathname;
const casesDir = join(repo, 'testdata', 'diff');
const slipway = join(repo, 'bin', 'slipway');
const dockerRef = '/work/shared/refenv/bin/docker-ref';
// Per run: helpers may run the tool side by side (one Slipway root is fine: builds share it safely).
const work = `/tmp/diff-buildkit-${process.pid}`;
const root = '/tmp/diff-root';
const args = process.argv.slice(2);
const only = args.filter((a) => !a.startsWith('--'));

// Cases that need extra build flags. A `X-child` case builds FROM the image its `X-parent` case
// made (kept in both builders' stores as diff/X-parent:1), so parents go first.
const extra = {
  'multistage-target': ['--target', 'final'],
  'ms-target-mid': ['--target', 'MID'],
  'ms-target-unreach': ['--target', 'tgt'],
  'ms-onbuild-target': ['--target', 'b'],
  'ms-platform-override': ['--build-arg', 'TARGETARCH=arm64', '--build-arg', 'BUILDARCH=s390x'],
  'cfg-build-args': ['--build-arg', 'DECLARED=given', '--build-arg', 'UNDECLARED=u', '--build-arg', 'HTTP_PROXY=http://proxy:3128',
    '--build-arg', 'https_proxy=http://sp:1', '--build-arg', 'WITH_DEFAULT=over', '--build-arg', 'GLOBAL_OVR=g2'],
  'rx-hostname': ['--add-host', 'reg.local:10.1.2.3', '--add-host', 'v6.local:2001:0db8:0::0002', '--add-host', 'dup.local:10.0.0.1',
    '--add-host', 'dup.local:10.0.0.2'],
  'rx-ulimit': ['--ulimit', 'nofile=1024:2048', '--ulimit', 'stack=4194304:-1', '--ulimit', 'core=0', '--shm-size', '128m'],
  'fx-arg-override-noexpand': ['--build-arg', 'G=g', '--build-arg', 'X=x'],
  'fx-build-args-empty': ['--build-arg', 'E=', '--build-arg', 'D=', '--build-arg', 'FROMENV', '--build-arg', 'FROMENV_UNSET', '--build-arg', 'GE='],
};
const isParent = (n) => n.endsWith('-parent');
const order = (names) => names.sort((a, b) => (isParent(a) !== isParent(b) ? (isParent(a) ? -1 : 1) : a.localeCompare(b)));

function run(cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 1 << 28, ...opts });
  return { ok: r.status === 0, out: r.stdout ?? '', err: (r.stderr ?? '') + (r.error ? String(r.error) : '') };
}

function prepareContexts() {
  // A deterministic 4 MB file (not committed): a sha256 chain.
  const big = join(casesDir, 'deep-large', 'big.bin');
  if (!existsSync(big)) {
    const chunks = [];
    let h = Buffer.from('slipway');
    for (let n = 0; n < 4_000_000; n += 32) chunks.push((h = createHash('sha256').update(h).digest()));
    writeFileSync(big, Buffer.concat(chunks).subarray(0, 4_000_000));
  }
}

// The loopback server behind the add-url case, in a child process: the builds below run with
// spawnSync, which would block a server in this process.
function startServer() {
  const srv = join(work, 'srv');
  rmSync(srv, { recursive: true, force: true });
  mkdirSync(join(srv, 't', 'd'), { recursive: true });
  mkdirSync(join(srv, 'www', 'dir'), { recursive: true });
  writeFileSync(join(srv, 't', 'd', 'in-tar'), 'in tar\n');
  writeFileSync(join(srv, 'www', 'hello.txt'), 'hello from http\n');
  // Byte-identical on every run: BuildKit's HTTP cache may keep an earlier download.
  run('sh', ['-c', `tar --owner=3 --group=4 --mtime=@0 --sort=name -cf - -C '${join(srv, 't')}' . | gzip -n > '${join(srv, 'www', 'dir', 'data.tar.gz')}'`]);
  const code = `
    const { createServer } = require('node:http'); const { readFileSync } = require('node:fs');
    createServer((req, res) => {
      let body; try { body = readFileSync(${JSON.stringify(join(srv, 'www'))} + req.url.replace(/\\.\\./g, '')); } catch { return res.writeHead(404).end(); }
      res.writeHead(200, { 'Content-Length': body.length, 'Last-Modified': 'Wed, 21 Oct 2015 07:28:00 GMT' }).end(body);
    }).on('error', (e) => {
      // Another run's server has the port: it serves the same (deterministic) files.
      if (e.code !== 'EADDRINUSE') throw e;
      console.log('busy'); process.exit(0);
    }).listen(8765, '127.0.0.1', () => console.log('ready'));
    setTimeout(() => process.exit(0), 3600e3);`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve) => child.stdout.once('data', () => resolve({ close: () => child.kill() })));
}

/** Walks an unpacked rootfs into path → description (no mtimes). */
function walk(dir) {
  // Names as bytes (a case may make names that are not valid UTF-8), shown as latin1.
  const out = new Map();
  const visit = (abs, rel) => {
    const st = lstatSync(abs);
    const type = st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : st.isFile() ? 'file' : st.isFIFO() ? 'fifo' : 'other';
    const d = { type, mode: (st.mode & 0o7777).toString(8), uid: st.uid, gid: st.gid };
    if (type === 'file') {
      d.size = st.size;
      d.sha256 = createHash('sha256').update(readFileSync(abs)).digest('hex').slice(0, 16);
      d.nlink = st.nlink;
    }
    if (type === 'symlink') d.target = readlinkSync(abs, 'buffer').toString('latin1');
    out.set(rel || '/', d);
    if (type === 'dir') {
      for (const name of readdirSync(abs, { encoding: 'buffer' }).sort(Buffer.compare)) {
        visit(Buffer.concat([Buffer.from(abs), Buffer.from('/'), name]), `${rel}/${name.toString('latin1')}`);
      }
    }
  };
  visit(Buffer.from(dir), '');
  return out;
}

const fmt = (d) => (d ? Object.entries(d).map(([k, v]) => `${k}=${v}`).join(' ') : '(missing)');

function diffRootfs(ref, sw) {
  const lines = [];
  for (const p of new Set([...ref.keys(), ...sw.keys()])) {
    const a = ref.get(p);
    const b = sw.get(p);
    if (fmt(a) !== fmt(b)) lines.push(`  ${p}\n    buildkit: ${fmt(a)}\n    slipway:  ${fmt(b)}`);
  }
  return lines;
}

const CONFIG_FIELDS = ['Env', 'Cmd', 'Entrypoint', 'WorkingDir', 'User', 'Labels', 'ExposedPorts', 'Volumes', 'Healthcheck', 'StopSignal', 'Shell', 'OnBuild', 'ArgsEscaped'];

function diffConfig(ref, sw) {
  const lines = [];
  const norm = (v) => JSON.stringify(v ?? null);
  for (const f of CONFIG_FIELDS) {
    const a = norm(ref.config?.[f]);
    const b = norm(sw.config?.[f]);
    if (a !== b) lines.push(`  config.${f}\n    buildkit: ${a}\n    slipway:  ${b}`);
  }
  const hist = (c) => (c.history ?? []).map((h) => `${h.empty_layer ? '(empty) ' : ''}${h.created_by ?? ''}`);
  const ha = hist(ref);
  const hb = hist(sw);
  for (let i = 0; i < Math.max(ha.length, hb.length); i++) {
    if (ha[i] !== hb[i]) lines.push(`  history[${i}]\n    buildkit: ${ha[i] ?? '(missing)'}\n    slipway:  ${hb[i] ?? '(missing)'}`);
  }
  const la = ref.rootfs?.diff_ids?.length;
  const lb = sw.rootfs?.diff_ids?.length;
  if (la !== lb) lines.push(`  rootfs layers: buildkit ${la}, slipway ${lb}`);
  return lines;
}

/** Reads the config of a docker-archive (docker save) or an OCI-layout tar. */
function configOf(tarFile, dir) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  run('tar', ['-xf', tarFile, '-C', dir]);
  if (existsSync(join(dir, 'manifest.json'))) {
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'))[0];
    return JSON.parse(readFileSync(join(dir, m.Config), 'utf8'));
  }
  const blob = (digest) => JSON.parse(readFileSync(join(dir, 'blobs', ...digest.split(':')), 'utf8'));
  let m = blob(JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')).manifests[0].digest);
  if (m.manifests) m = blob(m.manifests[0].digest);
  return blob(m.config.digest);
}

function unpack(transport, dir) {
  rmSync(dir, { recursive: true, force: true });
  const c = run('skopeo', ['copy', '-q', transport, `oci:${dir}-layout:x`]);
  if (!c.ok) throw new Error(`skopeo: ${c.err}`);
  const u = run('umoci', ['unpack', '--image', `${dir}-layout:x`, dir]);
  rmSync(`${dir}-layout`, { recursive: true, force: true });
  if (!u.ok) throw new Error(`umoci: ${u.err}`);
  return walk(join(dir, 'rootfs'));
}

function buildRef(name, ctx, dir) {
  const tag = `diff/${name}:1`;
  // Dockerfile.ref: an equivalent the 20.10 frontend can parse (no heredocs, --link, --parents,
  // --exclude); only the rootfs is compared then, the history necessarily differs.
  const alt = join(ctx, 'Dockerfile.ref');
  const file = existsSync(alt) ? ['-f', alt] : [];
  const b = run(dockerRef, ['build', '-q', '--network=none', '-t', tag, ...file, ...(extra[name] ?? []), ctx]);
  if (!b.ok) return { error: b.err.trim().split('\n').slice(-3).join(' | ') };
  const tar = join(dir, 'ref.tar');
  const s = run(dockerRef, ['save', tag, '-o', tar]);
  if (!s.ok) return { error: s.err };
  return { config: configOf(tar, join(dir, 'ref-x')), fs: unpack(`docker-archive:${tar}`, join(dir, 'ref-bundle')) };
}

function buildSlipway(name, ctx, dir) {
  const tar = join(dir, 'sw.tar');
  const b = run(slipway, ['--root', root, 'build', '--progress=quiet', '--no-cache', '-t', `diff/${name}:1`, ...(extra[name] ?? []), '-o', `type=oci,dest=${tar}`, ctx]);
  if (!b.ok) return { error: b.err.trim().split('\n').slice(-3).join(' | ') };
  // A child case builds FROM its parent's image: keep it in the store too.
  if (isParent(name)) run(slipway, ['--root', root, 'build', '--progress=quiet', '-t', `diff/${name}:1`, ctx]);
  return { config: configOf(tar, join(dir, 'sw-x')), fs: unpack(`oci-archive:${tar}`, join(dir, 'sw-bundle')) };
}

async function main() {
  prepareContexts();
  mkdirSync(work, { recursive: true });
  const server = await startServer();
  try {
    await compareAll();
  } finally {
    server.close(); // else its child keeps the output pipe open after an error
    if (!args.includes('--keep')) rmSync(work, { recursive: true, force: true });
  }
}

async function compareAll() {
  const names = order(readdirSync(casesDir).filter((n) => !only.length || only.includes(n) || (isParent(n) && only.includes(n.replace(/-parent$/, '-child')))));
  const table = [];
  for (const name of names) {
    const dir = join(work, name);
    mkdirSync(dir, { recursive: true });
    const ctx = join(casesDir, name);
    const ref = buildRef(name, ctx, dir);
    const sw = buildSlipway(name, ctx, dir);
    console.log(`=== ${name}`);
    if (ref.error || sw.error) {
      if (ref.error) console.log(`  buildkit failed: ${ref.error}`);
      if (sw.error) console.log(`  slipway failed: ${sw.error}`);
      table.push([name, ref.error ? 'ref-fail' : '-', sw.error ? 'sw-fail' : '-']);
      continue;
    }
    const fsLines = diffRootfs(ref.fs, sw.fs);
    const variant = existsSync(join(ctx, 'Dockerfile.ref'));
    const cfgLines = variant ? [] : diffConfig(ref.config, sw.config);
    if (variant) console.log('  (reference built from Dockerfile.ref: rootfs only)');
    for (const l of [...fsLines.slice(0, 40), ...cfgLines]) console.log(l);
    if (fsLines.length > 40) console.log(`  … ${fsLines.length - 40} more rootfs differences`);
    table.push([name, String(fsLines.length), String(cfgLines.length)]);
    if (!args.includes('--keep')) rmSync(dir, { recursive: true, force: true });
  }
  console.log('\ncase                  rootfs-diffs  config-diffs');
  for (const [n, a, b] of table) console.log(`${n.padEnd(22)}${a.padStart(12)}${b.padStart(14)}`);
}

await main();
