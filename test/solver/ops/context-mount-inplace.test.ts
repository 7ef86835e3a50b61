// RUN --mount=type=bind of a context that is all root's is mounted in place, unless the
// transfer BuildKit does would change something: a socket arrives as an empty file.
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { slipwayBuild, tempDir } from '../build/slipway.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('bind mounts of a context owned by root', () => {
  it('a socket shows as an empty file, as BuildKit transfers it (docker-ref), whatever the names', async () => {
    const root = tempDir('ctx-inplace-root');
    const ctx = tempDir('ctx-inplace-ctx');
    const out = tempDir('ctx-inplace-out');
    dirs.push(root, ctx, out);
    writeFileSync(path.join(ctx, 'Dockerfile'), [
      'FROM 127.0.0.1:5100/library/busybox:latest',
      'RUN --mount=type=bind,target=/c stat -c "%n %a %F" /c/sock /c/a > /st',
      '',
    ].join('\n'));
    writeFileSync(path.join(ctx, 'a'), 'a');
    // A name that is not UTF-8, last in readdir order, so first off the check's stack: it
    // must not end the check before the socket is seen.
    writeFileSync(Buffer.from(path.join(ctx, 'z\xff'), 'latin1'), 'z');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(path.join(ctx, 'sock'), resolve));
    chmodSync(path.join(ctx, 'sock'), 0o755);
    try {
      const r = slipwayBuild(root, ['-o', `type=local,dest=${out}`, ctx]);
      expect(r.status, r.stderr).toBe(0);
    } finally {
      server.close();
    }
    expect(readFileSync(path.join(out, 'st'), 'utf8')).toBe('/c/sock 755 regular empty file\n/c/a 644 regular file\n');
  });
});
