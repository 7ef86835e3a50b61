// Proxy build args (HTTP_PROXY, https_proxy, …) reach every RUN in both spellings, as BuildKit's
// exec op sets them, without being declared; they stay out of the image config and history.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { slipwayBuild, tempDir } from './slipway.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('proxy build args', () => {
  it('are in the environment of RUN steps, once each', () => {
    const ctx = tempDir('proxy-ctx');
    const root = tempDir('proxy-root');
    const out = tempDir('proxy-out');
    dirs.push(ctx, root, out);
    writeFileSync(path.join(ctx, 'Dockerfile'),
      'FROM 127.0.0.1:5100/library/busybox:latest\nARG https_proxy\nRUN env | grep -i proxy | sort > /env.txt\n');
    const r = slipwayBuild(root, ['--build-arg', 'HTTP_PROXY=http://p:3128', '--build-arg', 'https_proxy=http://s:1',
      '--build-arg', 'no_proxy=localhost', '-o', `type=local,dest=${out}`, ctx]);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(path.join(out, 'env.txt'), 'utf8')).toBe([
      'HTTPS_PROXY=http://s:1', 'HTTP_PROXY=http://p:3128', 'NO_PROXY=localhost',
      'http_proxy=http://p:3128', 'https_proxy=http://s:1', 'no_proxy=localhost', '',
    ].join('\n'));
  });
});
