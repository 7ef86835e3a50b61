// buildx flags CI scripts pass: --load stores the image (untagged without -t), attestation flags
// are accepted when they turn attestations off and refused clearly otherwise, --builder is ignored.
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../solver/build/slipway.js';
import { slipway } from './cli.js';

let root: string;
let ctx: string;
beforeAll(() => {
  root = tempDir('buildx-flags-root');
  ctx = tempDir('buildx-flags-ctx');
  writeFileSync(path.join(ctx, 'Dockerfile'), 'FROM scratch\nCOPY f /f\n');
  writeFileSync(path.join(ctx, 'f'), 'f\n');
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(ctx, { recursive: true, force: true });
});

describe('buildx flags', () => {
  it('--load without -t stores an untagged image', () => {
    const r = slipway(root, ['build', '--load', '-q', ctx]);
    expect(r.status, r.stderr).toBe(0);
    const id = r.stdout.trim();
    expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
    const images = slipway(root, ['images', '--no-trunc', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}']);
    expect(images.stdout.split('\n')).toContain(`<none>:<none> ${id}`);
  });

  it('accepts attestations turned off and --builder', () => {
    const r = slipway(root, ['build', '--progress=quiet', '--provenance=false', '--sbom=false',
      '--attest', 'type=provenance,disabled=true', '--builder', 'mybuilder', '-t', 'flags:1', ctx]);
    expect(r.status, r.stderr).toBe(0);
  });

  it('refuses attestations it cannot make, naming the flag', () => {
    for (const [flag, value] of [['--provenance', 'mode=max'], ['--sbom', 'true'], ['--attest', 'type=sbom']] as const) {
      const r = slipway(root, ['build', '--progress=quiet', flag, value, ctx]);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(`${flag} "${value}": attestations (provenance, SBOM) are not supported`);
    }
  });
});
