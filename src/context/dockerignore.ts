// .dockerignore files, read the way docker's ignorefile.ReadAll does, and located the way
// BuildKit's dockerui does (<Dockerfile>.dockerignore beside the Dockerfile wins over the
// context's .dockerignore; each read inside its directory, errors meaning "none").
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { decodeName, fsPath } from '../solver/layer/byte-names.js';
import { resolveInRootSync } from '../solver/layer/root-path.js';
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
 * The file's text as the patterns reach fsutil: the frontend passes them through JSON (the
 * local source's excludepatterns attribute), and Go's json.Marshal turns each byte that is
 * not valid UTF-8 into one U+FFFD (Node's decoder folds a truncated sequence into one).
 */
function asGoJsonText(bytes: Buffer): string {
  return decodeName(bytes).replace(/[\udc80-\udcff]/g, '\ufffd');
}

const UNREADABLE = new Set(['ENOENT', 'ENOTDIR', 'EISDIR', 'ELOOP']);

/**
 * The text of `name` inside `root` as BuildKit's frontend reads it from the transferred
 * directory: symlinks resolve inside `root` (a link leading out of the context reads whatever
 * the context holds there), and a file that is missing or not readable as a file (a
 * directory, a dangling link) counts as absent: dockerui ignores ReadFile's error.
 */
async function readInRoot(root: string, name: string): Promise<{ file: string; text: string } | undefined> {
  const file = resolveInRootSync(root, name);
  try {
    return { file, text: asGoJsonText(await readFile(fsPath(file))) };
  } catch (err) {
    if (UNREADABLE.has((err as NodeJS.ErrnoException).code ?? '')) return undefined;
    throw err;
  }
}

/**
 * The .dockerignore a build uses, as dockerui picks it: `<Dockerfile>.dockerignore` from the
 * Dockerfile's directory when it can be read, else the context's `.dockerignore`.
 */
export async function locateDockerignore(contextDir: string, dockerfilePath?: string): Promise<{ file: string; text: string } | undefined> {
  if (dockerfilePath) {
    const beside = await readInRoot(path.dirname(dockerfilePath), path.basename(dockerfilePath) + '.dockerignore');
    if (beside) return beside;
  }
  return readInRoot(contextDir, '.dockerignore');
}

/**
 * The exclude patterns for a build (see locateDockerignore). Invalid patterns fail here,
 * naming the file.
 */
export async function loadDockerignore(contextDir: string, dockerfilePath?: string): Promise<{ file?: string; patterns: string[] }> {
  const found = await locateDockerignore(contextDir, dockerfilePath);
  if (!found) return { patterns: [] };
  const patterns = readDockerignore(found.text);
  try {
    new PatternMatcher(patterns);
  } catch (err) {
    throw new DockerignoreError(`${found.file}: ${(err as Error).message}`);
  }
  return { file: found.file, patterns };
}
