// Small pieces with exact Go/BuildKit semantics: Go formatting, paths, platforms, chmod.
import { describe, expect, it } from 'vitest';
import { parseChmod } from '../../../src/frontend/dockerfile/convert/chmod.js';
import { parseGitRef } from '../../../src/frontend/dockerfile/convert/git-source.js';
import { goDuration, goList, goQuoteList } from '../../../src/frontend/dockerfile/convert/go-format.js';
import { normalizeWorkdir, pathRelativeToWorkingDir } from '../../../src/frontend/dockerfile/convert/paths.js';
import { parsePlatform } from '../../../src/frontend/dockerfile/convert/platform.js';
import { validateSignal } from '../../../src/frontend/dockerfile/convert/signal.js';
import { followPaths } from '../../../src/frontend/dockerfile/convert/build-context.js';

describe('Go formatting', () => {
  it('time.Duration.String', () => {
    const cases: [number, string][] = [
      [0, '0s'], [1, '1ns'], [1500, '1.5µs'], [100e6, '100ms'], [1.5e9, '1.5s'], [30e9, '30s'],
      [90e9, '1m30s'], [300e9, '5m0s'], [3600e9, '1h0m0s'], [3723.5e9, '1h2m3.5s'], [-2e9, '-2s'],
    ];
    for (const [ns, s] of cases) expect(goDuration(ns)).toBe(s);
  });
  it('%v and %q of string slices', () => {
    expect(goList(['/bin/sh', '-c'])).toBe('[/bin/sh -c]');
    expect(goList([])).toBe('[]');
    expect(goQuoteList(['a "b"', 'tab\there', 'é'])).toBe('["a \\"b\\"" "tab\\there" "é"]');
  });
});

describe('paths', () => {
  it('WORKDIR: absolute kept as written, relative joined and cleaned', () => {
    expect(normalizeWorkdir('/', '/x/../y/')).toBe('/x/../y/');
    expect(normalizeWorkdir('/x/../y/', 'z/..//w')).toBe('/y/w');
    expect(normalizeWorkdir('', 'app')).toBe('/app');
  });
  it('COPY destinations keep a trailing slash and resolve . against the working dir', () => {
    expect(pathRelativeToWorkingDir('/app', '.')).toBe('/app/');
    expect(pathRelativeToWorkingDir('/app', './conf/')).toBe('/app/conf/');
    expect(pathRelativeToWorkingDir('/app', 'file')).toBe('/app/file');
    expect(pathRelativeToWorkingDir('/app', '/abs/')).toBe('/abs/');
    expect(pathRelativeToWorkingDir('/', 'x/.')).toBe('/x/.');
  });
  it('context follow paths: sorted, relative; the whole context when / is used', () => {
    expect(followPaths(new Set(['/b', '/a/c', '/a']))).toEqual(['a', 'a/c', 'b']);
    expect(followPaths(new Set(['/b', '/']))).toBeUndefined();
    expect(followPaths(new Set())).toBeUndefined();
  });
});

describe('platforms, signals, chmod, git refs', () => {
  it('normalizes platform strings like containerd', () => {
    expect(parsePlatform('linux/amd64')).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(parsePlatform('x86_64')).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(parsePlatform('linux/amd64/v1')).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(parsePlatform('linux/arm/v7')).toEqual({ os: 'linux', architecture: 'arm', variant: 'v7' });
    expect(parsePlatform('windows')).toEqual({ os: 'windows', architecture: 'amd64' });
    expect(() => parsePlatform('linux//x')).toThrow(/invalid platform/);
  });
  it('STOPSIGNAL accepts names, SIG-less names, numbers and RT signals', () => {
    for (const s of ['SIGTERM', 'term', '9', 'SIGRTMIN+3', 'RTMAX-1']) expect(() => validateSignal(s)).not.toThrow();
    for (const s of ['SIGFOO', '0', 'RTMIN+99']) expect(() => validateSignal(s)).toThrow(/invalid signal/);
  });
  it('--chmod: octal up to 07777 or symbolic', () => {
    expect(parseChmod('755')).toEqual({ mode: 0o755 });
    expect(parseChmod('u+x,g-w')).toEqual({ modeStr: 'u+x,g-w' });
    // BSD setmode's copy forms, as BuildKit accepts them.
    expect(parseChmod('g=u')).toEqual({ modeStr: 'g=u' });
    expect(parseChmod('go=u-w')).toEqual({ modeStr: 'go=u-w' });
    expect(parseChmod('')).toBeUndefined();
    expect(() => parseChmod('17777')).toThrow(/between 0 and 07777/);
    expect(() => parseChmod('rwx')).toThrow(/invalid chmod parameter/);
  });
  it('recognizes git sources among ADD arguments', () => {
    expect(parseGitRef('https://github.com/moby/buildkit.git#v0.12:docs')).toEqual({ remote: 'https://github.com/moby/buildkit.git', fragment: 'v0.12:docs' });
    expect(parseGitRef('git@github.com:moby/buildkit.git')).toBeDefined();
    expect(parseGitRef('git://host/repo')).toBeDefined();
    expect(parseGitRef('https://example.com/file.tar.gz')).toBeUndefined();
    expect(parseGitRef('src/a.git')).toBeUndefined();
  });
});
