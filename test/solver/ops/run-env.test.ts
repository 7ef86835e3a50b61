import { describe, expect, it } from 'vitest';
import { runEnv } from '../../../src/solver/ops/run-env.js';

const PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const noProxy = { httpProxy: '', httpsProxy: '', ftpProxy: '', noProxy: '', allProxy: '' };

describe("runEnv (BuildKit's exec op)", () => {
  it('keeps the op env in its order', () => {
    expect(runEnv(['PATH=/x', 'A=1'], undefined, [])).toEqual(['PATH=/x', 'A=1']);
    expect(runEnv(['B=2', 'PATH=/x', 'A=3'], undefined, [])).toEqual(['B=2', 'PATH=/x', 'A=3']);
  });

  it('adds the default PATH at the end when the env has none', () => {
    expect(runEnv(['A=1'], undefined, ['S=1'])).toEqual(['A=1', PATH, 'S=1']);
  });

  it('adds the non-empty proxy build args in both cases, before secret env vars', () => {
    const env = runEnv(['PATH=/x', 'A=1'], { ...noProxy, httpProxy: 'http://p:3128', noProxy: 'localhost' }, ['TOKEN=s']);
    expect(env).toEqual(['PATH=/x', 'A=1', 'HTTP_PROXY=http://p:3128', 'http_proxy=http://p:3128', 'NO_PROXY=localhost', 'no_proxy=localhost', 'TOKEN=s']);
  });

  it('a key given again replaces the earlier value in its place', () => {
    // ARG https_proxy declared in the Dockerfile and also a proxy build arg: once, where the ARG was.
    const env = runEnv(['PATH=/x', 'https_proxy=http://a:1', 'B=2'], { ...noProxy, httpsProxy: 'http://a:1' }, ['B=secret']);
    expect(env).toEqual(['PATH=/x', 'https_proxy=http://a:1', 'B=secret', 'HTTPS_PROXY=http://a:1']);
  });
});
