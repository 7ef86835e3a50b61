// `slipway debug fsck`: clean on a freshly built root; each kind of damage is named with exit 1;
// debris of dead processes is listed as a harmless leftover (exit 0).
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, Scratch, base, errorLines, fsckRoot, slipway } from './harness.js';

const scratch = new Scratch();
let built: string;
let manifest: { config: { digest: string }; layers: { digest: string }[] };

/** A private copy of the built root to damage. */
function copyRoot(): string {
  const dir = scratch.dir('fsck-copy');
  execFileSync('cp', ['-a', `${built}/.`, dir]);
  return dir;
}

const blobPath = (root: string, digest: string): string => path.join(root, 'store', 'blobs', 'sha256', digest.slice(7));

/** A pid that belongs to no process (a child that has exited). */
function deadPid(): number {
  const r = spawnSync('sh', ['-c', 'echo $$']);
  return Number(r.stdout.toString().trim());
}

beforeAll(async () => {
  built = scratch.dir('fsck-root');
  const ctx = scratch.context('fsck-ctx', { Dockerfile: `FROM ${base()}\nRUN echo hi > /x\nCOPY a /a\n`, a: 'a\n' });
  const r = await slipway(built, ['build', '-q', '-t', 'fsck:test', ctx]);
  expect(r.status, r.stderr).toBe(0);
  const index = JSON.parse(readFileSync(path.join(built, 'store', 'index.json'), 'utf8')) as { manifests: { digest: string; annotations?: Record<string, string> }[] };
  const entry = index.manifests.find((m) => m.annotations?.['io.containerd.image.name']?.endsWith('fsck:test'))!;
  manifest = JSON.parse(readFileSync(blobPath(built, entry.digest), 'utf8')) as typeof manifest;
}, 120_000);
afterAll(() => scratch.cleanup());

describe('debug fsck', () => {
  it('is clean on a freshly built root and prints a summary', () => {
    const r = spawnSync(BIN, ['--root', built, 'debug', 'fsck'], { encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^checked \d+ blobs, 2 image entries, \d+ snapshots, 2 cache records: 0 errors, 0 harmless leftovers, 0 stale memos\n$/);
    const j = fsckRoot(built);
    expect(j.report.ok).toBe(true);
    expect(j.report.counts.blobs).toBeGreaterThanOrEqual(6);
  });

  it('finds a blob whose bytes do not match its digest', () => {
    const root = copyRoot();
    const file = blobPath(root, manifest.config.digest);
    const damaged = readFileSync(file, 'utf8').replace('"', ' "');
    writeFileSync(file, damaged);
    const r = fsckRoot(root);
    expect(r.status).toBe(1);
    // Reported once, as corruption (not again as a manifest's missing config).
    const actual = createHash('sha256').update(damaged).digest('hex');
    expect(errorLines(r)).toEqual([`store/blobs/sha256/${manifest.config.digest.slice(7)}: content does not match its digest (sha256:${actual})`]);
  });

  it('finds a manifest whose layer is missing', () => {
    const root = copyRoot();
    const layer = manifest.layers.at(-1)!.digest;
    rmSync(blobPath(root, layer));
    const r = fsckRoot(root);
    expect(r.status).toBe(1);
    expect(errorLines(r).some((l) => l.includes(`layer ${manifest.layers.length - 1} ${layer} is missing from the content store`))).toBe(true);
  });

  it('finds a temp file left visible among blobs, and an unparseable index.json', () => {
    const root = copyRoot();
    writeFileSync(path.join(root, 'store', 'blobs', 'sha256', 'upload.tmp'), 'x');
    writeFileSync(path.join(root, 'store', 'index.json'), '{"manifests": [');
    const r = fsckRoot(root);
    expect(r.status).toBe(1);
    const lines = errorLines(r);
    expect(lines).toContain('store/blobs/sha256/upload.tmp: file in the blobs directory is not named by a sha256 digest (a temp file left visible?)');
    expect(lines.some((l) => l.startsWith('store/index.json: not valid JSON'))).toBe(true);
  });

  it('finds a cache record pointing at a missing snapshot and an unparseable layer.json', () => {
    const root = copyRoot();
    const snaps = readdirSync(path.join(root, 'snapshots')).filter((n) => n.startsWith('r-'));
    expect(snaps.length).toBe(2);
    rmSync(path.join(root, 'snapshots', snaps[0]!), { recursive: true });
    writeFileSync(path.join(root, 'snapshots', snaps[1]!, 'layer.json'), '{');
    const lines = errorLines(fsckRoot(root));
    expect(lines.some((l) => l.endsWith(`cache record points at missing snapshot ${snaps[0]}`))).toBe(true);
    expect(lines.some((l) => l.startsWith(`snapshots/${snaps[1]}/layer.json: not valid JSON`))).toBe(true);
  });

  it('lists debris of dead processes as harmless leftovers (exit 0)', () => {
    const root = copyRoot();
    const pid = deadPid();
    writeFileSync(path.join(root, 'store', 'ingest', `${pid}-0123abcd`), 'partial');
    writeFileSync(path.join(root, 'cache', 'records', `.x.json.${pid}-abcdef`), '{');
    mkdirSync(path.join(root, 'cache', 'contenthash'), { recursive: true });
    writeFileSync(path.join(root, 'cache', 'contenthash', 'k.json.0a1b2c.tmp'), '{"half');
    const r = fsckRoot(root);
    expect(r.status).toBe(0);
    expect(r.report.findings.map((f) => `${f.severity} ${f.where}`).sort()).toEqual([
      'leftover cache/contenthash/k.json.0a1b2c.tmp',
      `leftover cache/records/.x.json.${pid}-abcdef`,
      `leftover store/ingest/${pid}-0123abcd`,
    ]);
  });
});
