// The exclude patterns of a build's context (src/context/dockerignore.ts: ignorefile.ReadAll,
// dockerui's choice of <Dockerfile>.dockerignore over the context's .dockerignore). They are
// not checked here: BuildKit fails on a bad pattern only when the context is transferred.
import { locateDockerignore, readDockerignore as parsePatterns } from '../../context/dockerignore.js';

export function parseDockerignore(text: string): string[] {
  return parsePatterns(text);
}

/**
 * `dockerfile` undefined: the Dockerfile came from stdin, which buildx writes to a directory
 * of its own, so only the context's .dockerignore applies.
 */
export async function readDockerignore(contextDir: string, dockerfile?: string): Promise<string[]> {
  const found = await locateDockerignore(contextDir, dockerfile);
  return found ? parsePatterns(found.text) : [];
}
