// The real-world Dockerfile corpus shared by the parser tests and the benchmark.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedPath } from '../../helpers/shared.js';

export const CORPUS_DIR = sharedPath('corpus', 'dockerfiles');

/** BuildKit's parser rejects these (see the corpus README, "Files expected to fail"). */
export function expectedToFail(name: string): boolean {
  return name.startsWith('moby__buildkit__frontend__dockerfile__parser__testfiles-negative__');
}

export interface CorpusFile {
  name: string;
  text: string;
}

export function loadCorpus(): CorpusFile[] {
  return readdirSync(CORPUS_DIR)
    .sort()
    .map((name) => ({ name, text: readFileSync(join(CORPUS_DIR, name), 'utf8') }));
}
