// A required secret the client did not give fails the step with BuildKit's wording
// (secrets.GetSecret: errors.Wrapf(ErrNotFound, "secret %s", id) → "secret ID: not found").
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { slipwayBuild, tempDir } from '../build/slipway.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function buildWith(lines: string[]) {
  const root = tempDir('hm-secret-root');
  const ctx = tempDir('hm-secret-ctx');
  dirs.push(root, ctx);
  writeFileSync(path.join(ctx, 'Dockerfile'), ['FROM 127.0.0.1:5000/library/busybox:latest', ...lines, ''].join('\n'));
  return slipwayBuild(root, [ctx]);
}

describe('missing secrets', () => {
  it('required=true as a file: "secret tok: not found"', () => {
    const r = buildWith(['RUN --mount=type=secret,id=tok,required=true true']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('secret tok: not found');
  });

  it('required as an env var: the same', () => {
    const r = buildWith(['RUN --mount=type=secret,id=tok2,env=TOK,required true']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('secret tok2: not found');
  });

  it('optional (the default): the step runs without it', () => {
    const r = buildWith(['RUN --mount=type=secret,id=tok3 test ! -e /run/secrets/tok3 && test -z "$TOK"']);
    expect(r.status, r.stderr).toBe(0);
  });
});
