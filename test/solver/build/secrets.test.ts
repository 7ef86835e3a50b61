// --secret values reach RUN (as a file and as an env variable) and never land in a layer,
// the image config, the history or a cache record.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyContext, slipwayBuild, tempDir } from './slipway.js';

const SECRET = 's3cr3t-value-42';

function* filesUnder(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* filesUnder(p);
    else if (e.isFile()) yield p;
  }
}

describe('secrets', () => {
  let root: string;
  let ctx: string;
  let secretFile: string;
  const cleanup: string[] = [];
  beforeAll(() => {
    root = tempDir('secret-root');
    ctx = copyContext('secret');
    secretFile = path.join(tempDir('secret-src'), 'token');
    writeFileSync(secretFile, SECRET);
  });
  afterAll(() => {
    for (const d of [root, ctx, path.dirname(secretFile), ...cleanup]) rmSync(d, { recursive: true, force: true });
  });

  it('mounts the secret for RUN and keeps it out of every stored byte', () => {
    const r = slipwayBuild(root, ['-t', 'secret:test', '--secret', `id=token,src=${secretFile}`, ctx]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stats?.containers).toBe(2);
    let blobs = 0;
    for (const f of filesUnder(root)) {
      let data = readFileSync(f);
      if (data[0] === 0x1f && data[1] === 0x8b) data = gunzipSync(data);
      expect(data.includes(SECRET), f).toBe(false);
      if (f.includes(`${path.sep}blobs${path.sep}`)) blobs++;
    }
    expect(blobs).toBeGreaterThan(3);
    // The secret file's mount target is not left in the image either.
    const out = tempDir('secret-out');
    cleanup.push(out);
    const r2 = slipwayBuild(root, ['--secret', `id=token,src=${secretFile}`, '-o', `type=local,dest=${out}`, ctx]);
    expect(r2.status, r2.stderr).toBe(0);
    expect(existsSync(path.join(out, 'run', 'secrets'))).toBe(false);
    expect(readFileSync(path.join(out, 'checked'), 'utf8')).toBe('ok\n');
    expect(execFileSync('cat', [path.join(out, 'checked-env')], { encoding: 'utf8' })).toBe('ok\n');
  });

  it('a secret not given is simply absent (secret mounts are optional by default, as BuildKit)', () => {
    const r = slipwayBuild(root, ['--no-cache', ctx]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("sha256sum: can't open '/run/secrets/token': No such file or directory");
  });
});
