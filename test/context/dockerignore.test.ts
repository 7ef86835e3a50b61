import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DockerignoreError, loadDockerignore, locateDockerignore, readDockerignore } from '../../src/context/dockerignore.js';
import { PatternMatcher } from '../../src/context/pattern-matcher.js';
import { sharedPath } from '../helpers/shared.js';

const CORPUS = sharedPath('corpus', 'dockerignore');

describe('readDockerignore (ignorefile.ReadAll)', () => {
  it.each([
    ['comments and blank lines', '# c\n\n  \nfoo\n', ['foo']],
    ['comment only at column 0', ' # not a comment\n', ['# not a comment']],
    ['trimming and CRLF', '  foo  \r\nbar\r\n', ['foo', 'bar']],
    ['UTF-8 BOM on the first line only', '\ufefffoo\n\ufeffbar', ['foo', '\ufeffbar']],
    ['leading slash dropped', '/foo\n/\n//a//b/', ['foo', '/', 'a/b']],
    ['./ and .. cleaned', './a/./b\nc/../d\n..\n', ['a/b', 'd', '..']],
    ['exceptions keep their !, inner spaces trimmed', '!foo\n! /bar/\n!\n', ['!foo', '!bar', '!']],
    ['no trailing newline', 'a\nb', ['a', 'b']],
    ['escapes untouched', 'g\\*h\n', ['g\\*h']],
  ] as [string, string, string[]][])('%s', (_name, text, want) => {
    expect(readDockerignore(text)).toEqual(want);
  });

  it('loads every .dockerignore of the corpus', () => {
    const files = readdirSync(CORPUS);
    expect(files.length).toBeGreaterThan(50);
    let patterns = 0;
    for (const f of files) {
      const list = readDockerignore(readFileSync(path.join(CORPUS, f), 'utf8'));
      const pm = new PatternMatcher(list);
      patterns += pm.patterns.length;
      // Every pattern is usable for matching.
      for (const p of pm.patterns) pm.matchesOrParentMatches(p.cleaned.replace(/[*?[\]\\]/g, 'x'));
    }
    expect(patterns).toBeGreaterThan(200);
  });

  it('finds <Dockerfile>.dockerignore before .dockerignore and names the file on errors', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dockerignore-'));
    mkdirSync(path.join(dir, 'ctx'));
    writeFileSync(path.join(dir, 'ctx/.dockerignore'), 'a\n');
    expect(await loadDockerignore(path.join(dir, 'ctx'), path.join(dir, 'Dockerfile'))).toEqual({ file: path.join(dir, 'ctx/.dockerignore'), patterns: ['a'] });
    writeFileSync(path.join(dir, 'Dockerfile.dockerignore'), 'b\n!c\n');
    expect((await loadDockerignore(path.join(dir, 'ctx'), path.join(dir, 'Dockerfile'))).patterns).toEqual(['b', '!c']);
    expect(await loadDockerignore(path.join(dir, 'nothing'))).toEqual({ patterns: [] });
    writeFileSync(path.join(dir, 'ctx/.dockerignore'), 'ok\n[bad\n');
    await expect(loadDockerignore(path.join(dir, 'ctx'))).rejects.toThrow(DockerignoreError);
    await expect(loadDockerignore(path.join(dir, 'ctx'))).rejects.toThrow(/\.dockerignore: syntax error in pattern: \[bad/);
  });
});

describe('locateDockerignore (dockerui: read in the transferred directory, errors mean none)', () => {
  it('resolves a .dockerignore symlink inside the context, never on the host (docker-ref)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dockerignore-'));
    mkdirSync(path.join(dir, 'ctx'));
    writeFileSync(path.join(dir, 'outside'), 'a\n');
    symlinkSync('../outside', path.join(dir, 'ctx/.dockerignore'));
    // "../outside" inside the context root is <ctx>/outside: absent, so no patterns.
    expect(await locateDockerignore(path.join(dir, 'ctx'))).toBeUndefined();
    writeFileSync(path.join(dir, 'ctx/outside'), 'b\n');
    expect((await loadDockerignore(path.join(dir, 'ctx'))).patterns).toEqual(['b']);
  });

  it('a .dockerignore that is a directory counts as none; so does an unreadable <Dockerfile>.dockerignore (docker-ref)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dockerignore-'));
    mkdirSync(path.join(dir, 'ctx/.dockerignore'), { recursive: true });
    expect(await loadDockerignore(path.join(dir, 'ctx'))).toEqual({ patterns: [] });
    mkdirSync(path.join(dir, 'Dockerfile.dockerignore'));
    rmSync(path.join(dir, 'ctx/.dockerignore'), { recursive: true });
    writeFileSync(path.join(dir, 'ctx/.dockerignore'), 'c\n');
    expect((await loadDockerignore(path.join(dir, 'ctx'), path.join(dir, 'Dockerfile'))).patterns).toEqual(['c']);
  });

  it('turns each byte that is not UTF-8 into one U+FFFD, as json.Marshal of the patterns does', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dockerignore-'));
    writeFileSync(path.join(dir, '.dockerignore'), Buffer.from([0xe2, 0x82, 0x3f, 0x7a, 0x0a, 0x5b, 0xe9, 0x5d, 0x0a]));
    expect((await loadDockerignore(dir)).patterns).toEqual(['\ufffd\ufffd?z', '[\ufffd]']);
  });
});
