// Memoized Dockerfile conversion: the converter (and its parser) is a large share of a fully
// cached build's start-up, yet its output depends only on its inputs (Dockerfile text,
// options, build args, .dockerignore, the code itself) and on the base images it resolved.
// A record under <root>/cache/convert/ keeps the result with those bases' digests; it is
// used only while every base still resolves to the same digest in the local store (a
// registry-only base, or --pull, always converts afresh).
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ConvertResult } from '../../frontend/dockerfile/convert/index.js';
import { writeFileAtomic } from '../../store/atomic-file.js';

/** What the build needs from a conversion (no live State objects). */
export type ConvertedBuild = Pick<ConvertResult, 'definition' | 'image' | 'baseImage' | 'steps' | 'warnings'>;

export interface BaseResolution {
  ref: string;
  resolveMode: string;
  /** What the converter pinned (the target digest). */
  digest: string;
}

interface ConvertRecord {
  v: 1;
  key: string;
  bases: BaseResolution[];
  result: ConvertedBuild;
}

const FORMAT = 1;

export function convertCacheKey(inputs: unknown): string {
  // import.meta.url names this bundle chunk, whose file name carries a content hash: a new
  // converter never reads an old record.
  return createHash('sha256').update(JSON.stringify({ v: FORMAT, code: import.meta.url, inputs })).digest('hex');
}

function recordPath(root: string, key: string): string {
  return path.join(root, 'cache', 'convert', `${key}.json`);
}

/** The memoized conversion, if every base still resolves (locally) to the same digest. */
export async function loadConverted(root: string, key: string,
  localDigest: (ref: string) => Promise<string | undefined>): Promise<{ result: ConvertedBuild; bases: BaseResolution[] } | undefined> {
  let rec: ConvertRecord;
  try {
    rec = JSON.parse(await readFile(recordPath(root, key), 'utf8')) as ConvertRecord;
  } catch {
    return undefined;
  }
  if (rec.v !== FORMAT || rec.key !== key || !rec.result?.definition) return undefined;
  for (const b of rec.bases) {
    if (b.resolveMode === 'pull') return undefined;
    if ((await localDigest(b.ref).catch(() => undefined)) !== b.digest) return undefined;
  }
  return { result: rec.result, bases: rec.bases };
}

export async function saveConverted(root: string, key: string, bases: BaseResolution[], result: ConvertedBuild): Promise<void> {
  const rec: ConvertRecord = {
    v: FORMAT, key, bases,
    result: { definition: result.definition, image: result.image, baseImage: result.baseImage, steps: result.steps, warnings: result.warnings },
  };
  // A memo: lost or unreadable after a power cut, it is only converted again (no fsync).
  await writeFileAtomic(recordPath(root, key), JSON.stringify(rec), { durable: false });
}
