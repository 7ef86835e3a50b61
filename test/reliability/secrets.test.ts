// --secret values (from a file and from an environment variable) reach RUN and never land in
// any stored byte: every blob (decompressed), snapshot, cache file and exported archive is
// searched for the value.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { Scratch, base, errorLines, fsckRoot, slipway } from './harness.js';

const scratch = new Scratch();
afterAll(() => scratch.cleanup());

function* filesUnder(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* filesUnder(p);
    else if (e.isFile()) yield p;
  }
}

/** Files (gzip members decompressed) under `dirs` that contain `needle`; and how many were read. */
function containing(dirs: string[], needle: string): { hits: string[]; read: number } {
  const hits: string[] = [];
  let read = 0;
  for (const dir of dirs) {
    for (const f of filesUnder(dir)) {
      let data = readFileSync(f);
      if (data[0] === 0x1f && data[1] === 0x8b) data = gunzipSync(data);
      read++;
      if (data.includes(needle) || data.includes(Buffer.from(needle).toString('base64'))) hits.push(f);
    }
  }
  return { hits, read };
}

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

describe('secrets never stored', () => {
  it.each([
    ['src=FILE', 'file'],
    ['env=VAR', 'env'],
  ])('--secret id=s,%s: RUN reads it, no blob, snapshot, cache file or export holds it', async (_label, kind) => {
    const value = `slipway-secret-${kind}-${Date.now()}-c0ffee`;
    const ctx = scratch.context('secret-ctx', {
      Dockerfile: `FROM ${base()}\nRUN --mount=type=secret,id=s sha256sum /run/secrets/s | cut -c1-64 > /hash && cp /run/secrets/s /tmp/copy && rm /tmp/copy\nRUN --mount=type=secret,id=s,env=S printf %s "$S" | sha256sum | cut -c1-64 > /hash-env\n`,
    });
    const root = scratch.dir('secret-root');
    const out = scratch.dir('secret-out');
    const oci = path.join(scratch.dir('secret-oci'), 'image.tar');
    let secretArg: string;
    const env: NodeJS.ProcessEnv = {};
    if (kind === 'file') {
      const file = path.join(scratch.dir('secret-src'), 's');
      writeFileSync(file, value);
      secretArg = `id=s,src=${file}`;
    } else {
      env.SLIPWAY_TEST_SECRET = value;
      secretArg = 'id=s,env=SLIPWAY_TEST_SECRET';
    }
    const r = await slipway(root, ['build', '--progress=plain', '--secret', secretArg, '-t', 'secret:test',
      '-o', 'type=image', '-o', `type=local,dest=${out}`, '-o', `type=oci,dest=${oci}`, ctx], { env });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toContain(value);
    // The steps really read it.
    expect(readFileSync(path.join(out, 'hash'), 'utf8')).toBe(`${sha(value)}\n`);
    expect(readFileSync(path.join(out, 'hash-env'), 'utf8')).toBe(`${sha(value)}\n`);

    // The OCI archive unpacked, so its layers are searched decompressed too.
    const unpacked = scratch.dir('secret-oci-x');
    execFileSync('tar', ['-xf', oci, '-C', unpacked]);
    const { hits, read } = containing([root, out, unpacked], value);
    expect(hits).toEqual([]);
    expect(read).toBeGreaterThan(10);
    expect(errorLines(fsckRoot(root))).toEqual([]);
  });
});
