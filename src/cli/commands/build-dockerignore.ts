// Reading .dockerignore into exclude patterns (moby/patternmatcher ignorefile.ReadAll):
// `#` comments, trimmed lines, `!` exceptions, cleaned paths without a leading slash.
// `<Dockerfile>.dockerignore` beside the Dockerfile wins over the context's .dockerignore.
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';

export function parseDockerignore(text: string): string[] {
  const out: string[] = [];
  text.replace(/^\ufeff/, '').split(/\r?\n/).forEach((line) => {
    if (line.startsWith('#')) return;
    let pattern = line.trim();
    if (pattern === '') return;
    const invert = pattern.startsWith('!');
    if (invert) pattern = pattern.slice(1).trim();
    if (pattern !== '') {
      pattern = path.posix.normalize(pattern);
      if (pattern.length > 1 && pattern.endsWith('/')) pattern = pattern.slice(0, -1);
      if (pattern.length > 1 && pattern.startsWith('/')) pattern = pattern.slice(1);
    }
    out.push(invert ? `!${pattern}` : pattern);
  });
  return out;
}

export async function readDockerignore(contextDir: string, dockerfile: string): Promise<string[]> {
  for (const candidate of [`${dockerfile}.dockerignore`, path.join(contextDir, '.dockerignore')]) {
    try {
      return parseDockerignore(await readFile(candidate, 'utf8'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return [];
}
