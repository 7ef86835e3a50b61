import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sharedPath } from '../../helpers/shared.js';

const bin = fileURLToPath(new URL('../../../bin/slipway', import.meta.url));
const cases = sharedPath('conformance', 'buildkit', 'parser');

describe('slipway debug ast', () => {
  it('prints BuildKit\'s dump for a corpus case, byte-exact', () => {
    const r = spawnSync(bin, ['debug', 'ast', `${cases}/testfiles/escape-after-comment/Dockerfile`], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(readFileSync(`${cases}/testfiles/escape-after-comment/result`, 'utf8'));
  });

  it('reads standard input for -', () => {
    const input = readFileSync(`${cases}/testfiles/json/Dockerfile`);
    const r = spawnSync(bin, ['debug', 'ast', '-'], { input, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(readFileSync(`${cases}/testfiles/json/result`, 'utf8'));
  });

  it('exits non-zero with a located error for a bad Dockerfile', () => {
    const r = spawnSync(bin, ['debug', 'ast', '-'], { input: 'FROM x\n\nCMD ["a", ["b"]]\n', encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('Dockerfile:3\n');
    expect(r.stderr).toContain('>>> CMD ["a", ["b"]]');
    expect(r.stderr).toContain('ERROR: Dockerfile:3:1: when using JSON array syntax, arrays must be comprised of strings only');
  });

  it('fails on the empty negative case', () => {
    const r = spawnSync(bin, ['debug', 'ast', `${cases}/testfiles-negative/empty_dockerfile/Dockerfile`], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('file with no instructions');
  });
});
