// Small reads shared by the fsck checks: directory listings that treat a missing directory as
// empty, and JSON files that report why they cannot be used.
import { readdir } from 'node:fs/promises';
import { readFileNoAtime } from '../store/read-no-atime.js';
import type { Dirent } from 'node:fs';

export async function listDir(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw err;
  }
}

export type JsonRead<T> = { ok: true; value: T } | { ok: false; missing: boolean; why: string };

/** Read without touching the access time: an fsck is not a use of a cache record (prune-cache.ts). */
export async function readJsonFile<T>(file: string): Promise<JsonRead<T>> {
  let text: string;
  try {
    text = await readFileNoAtime(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { ok: false, missing: code === 'ENOENT', why: code ?? String(err) };
  }
  try {
    return { ok: true, value: JSON.parse(text) as T };
  } catch (err) {
    return { ok: false, missing: false, why: `not valid JSON (${(err as Error).message})` };
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
