import { describe, expect, it } from 'vitest';
import { hashBuildArgs, type CacheBasis } from '../../../src/solver/cache/basis.js';
import { explainMiss } from '../../../src/solver/cache/explain.js';

const base: CacheBasis = {
  opDigest: 'sha256:op',
  inputKeys: ['sha256:in0', ''],
  inputNames: ['[1/3] FROM busybox', '[internal] load build context'],
  contextFiles: { 'app/main.go': 'sha256:a', 'go.mod': 'sha256:b' },
  buildArgs: hashBuildArgs({ VERSION: '1' }),
  baseImage: 'sha256:base1',
};

describe('explainMiss', () => {
  it('names --no-cache and --no-cache-filter', () => {
    expect(explainMiss(base, base, { kind: 'no-cache' })).toBe('cache disabled by --no-cache');
    expect(explainMiss(base, base, { kind: 'ignore-cache', stage: 'build' })).toBe('cache disabled by --no-cache-filter for stage build');
  });

  it('says when there is no record of the step', () => {
    expect(explainMiss(undefined, base)).toBe('no cache record for this step (first build)');
  });

  it('names a changed base image first', () => {
    expect(explainMiss(base, { ...base, baseImage: 'sha256:base2', opDigest: 'sha256:other' })).toBe('base image changed: sha256:base1 -> sha256:base2');
  });

  it('names changed, added and removed build args by name, never by value', () => {
    const r = explainMiss(base, { ...base, buildArgs: hashBuildArgs({ VERSION: '2' }) });
    expect(r).toBe('build arg changed: VERSION');
    expect(explainMiss(base, { ...base, buildArgs: hashBuildArgs({ VERSION: '1', EXTRA: 'x' }) })).toBe('build arg added: EXTRA');
    expect(explainMiss(base, { ...base, buildArgs: {} })).toBe('build arg removed: VERSION');
    expect(JSON.stringify(hashBuildArgs({ TOKEN: 'hunter2' }))).not.toContain('hunter2');
  });

  it('names context files by path', () => {
    expect(explainMiss(base, { ...base, contextFiles: { ...base.contextFiles, 'app/main.go': 'sha256:c' } })).toBe('context file changed: app/main.go');
    expect(explainMiss(base, { ...base, contextFiles: { ...base.contextFiles, 'new.txt': 'sha256:n' } })).toBe('context file added: new.txt');
    expect(explainMiss(base, { ...base, contextFiles: { 'go.mod': 'sha256:b' } })).toBe('context file removed: app/main.go');
    const many = Object.fromEntries(['a', 'b', 'c', 'd', 'e'].map((f) => [f, 'x']));
    expect(explainMiss({ ...base, contextFiles: {} }, { ...base, contextFiles: many })).toBe('context file added: a, b, c and 2 more');
  });

  it('names a changed instruction, then a changed input step', () => {
    expect(explainMiss(base, { ...base, opDigest: 'sha256:new' })).toBe('instruction changed');
    expect(explainMiss(base, { ...base, inputKeys: ['sha256:in1', ''] })).toBe('input changed: [1/3] FROM busybox');
  });

  it('says when the same key lost its result', () => {
    expect(explainMiss(base, base, { kind: 'result-missing' })).toBe('cached result was removed');
  });
});
