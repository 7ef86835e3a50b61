// A pull from a plain-http registry loads neither node:https nor node:tls (src/registry/http.ts
// loads them on the first https:// request); they cost a fresh process ~2-3 ms.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, testEnv } from '../helpers/testenv.js';

const work = mkdtempSync(path.join(tmpdir(), 'slipway-lazy-tls-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('plain-http registry', () => {
  it('a pull loads no https/tls module', () => {
    const env = testEnv();
    const report = path.join(work, 'loaded.json');
    const preload = path.join(work, 'preload.cjs');
    writeFileSync(preload, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(report)}, JSON.stringify(process.moduleLoadList)));\n`);
    const childEnv = { ...process.env };
    delete childEnv.NODE_EXTRA_CA_CERTS;
    const r = spawnSync(process.execPath, ['-r', preload, path.join(REPO_ROOT, 'bin', 'slipway.cjs'), '--root', path.join(work, 'root'),
      'pull', `${env.registries.plain}/${env.images.busybox.repository}:${env.images.busybox.tag}`], { encoding: 'utf8', env: childEnv, timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const loaded = JSON.parse(readFileSync(report, 'utf8')) as string[];
    expect(loaded).toContain('NativeModule http');
    for (const m of ['https', 'tls', '_tls_wrap']) expect(loaded).not.toContain(`NativeModule ${m}`);
  });
});
