// .dockerignore files, read the way docker's ignorefile.ReadAll does, and located the way
// the docker CLI does (<Dockerfile>.dockerignore beside the Dockerfile wins over the
// context's .dockerignore).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { goClean, goTrimSpace } from './go-strings.js';
import { PatternMatcher } from './pattern-matcher.js';

/** Splits like bufio.ScanLines: '\n' separated, one trailing '\r' dropped, no empty last line. */
function scanLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

/** Patterns of a .dockerignore: comments and blank lines dropped, paths cleaned, leading '/' removed. */
export function readDockerignore(text: string): string[] {
  const out: string[] = [];
  scanLines(text).forEach((line, i) => {
    let pattern = i === 0 && line.startsWith('\ufeff') ? line.slice(1) : line;
    // Comments are recognised before trimming: " # x" is a pattern.
    if (pattern.startsWith('#')) return;
    pattern = goTrimSpace(pattern);
    if (pattern === '') return;
    const invert = pattern[0] === '!';
    if (invert) pattern = goTrimSpace(pattern.slice(1));
    if (pattern.length > 0) {
      pattern = goClean(pattern);
      if (pattern.length > 1 && pattern[0] === '/') pattern = pattern.slice(1);
    }
    out.push(invert ? '!' + pattern : pattern);
  });
  return out;
}

export class DockerignoreError extends Error {}

/**
 * The exclude patterns for a build: `<dockerfile>.dockerignore` when it exists, else
 * `<contextDir>/.dockerignore`, else none. Invalid patterns fail here, naming the file.
 */
export async function loadDockerignore(contextDir: string, dockerfilePath?: string): Promise<{ file?: string; patterns: string[] }> {
  const candidates = [
    ...(dockerfilePath ? [dockerfilePath + '.dockerignore'] : []),
    path.join(contextDir, '.dockerignore'),
  ];
  for (const file of candidates) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') continue;
      throw err;
    }
    const patterns = readDockerignore(text);
    try {
      new PatternMatcher(patterns);
    } catch (err) {
      throw new DockerignoreError(`${file}: ${(err as Error).message}`);
    }
    return { file, patterns };
  }
  return { patterns: [] };
}
