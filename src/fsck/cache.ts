// Cache check (<root>/cache, format in src/solver/cache/records.ts and the build's memos):
//  - records/<hex>.json: parseable, key matching the file name, every snapshot id it names
//    exists (nothing deletes snapshots, so a dangling record is corruption);
//  - exports/*.json: the image memo; a pruned manifest only makes it stale (checked on use);
//  - steps/, convert/, contenthash/ (stat caches): parseable JSON.
import path from 'node:path';
import { isObject, listDir, readJsonFile } from './fs-read.js';
import type { Findings } from './findings.js';

/** Whether a cache file name is the one a reader would open (temp files are dot-names). */
function readerVisible(name: string): boolean {
  return !name.startsWith('.');
}

async function checkRecords(root: string, snapshots: ReadonlySet<string>, out: Findings): Promise<number> {
  const dir = path.join(root, 'cache', 'records');
  let n = 0;
  for (const e of await listDir(dir)) {
    if (!readerVisible(e.name)) continue;
    const rel = path.join('cache', 'records', e.name);
    const m = /^([0-9a-f]{64})\.json$/.exec(e.name);
    if (!m) {
      out.add('error', rel, 'unexpected file among cache records');
      continue;
    }
    n++;
    const rec = await readJsonFile<unknown>(path.join(dir, e.name));
    if (!rec.ok) {
      out.add('error', rel, `cache record unreadable: ${rec.why}`);
      continue;
    }
    const v = rec.value;
    if (!isObject(v) || v.key !== `sha256:${m[1]}` || !Array.isArray(v.outputs)) {
      out.add('error', rel, 'cache record does not hold its own key and an outputs list');
      continue;
    }
    for (const output of v.outputs) {
      if (!Array.isArray(output) || !output.every((id) => typeof id === 'string')) {
        out.add('error', rel, 'cache record output is not a list of snapshot ids');
        continue;
      }
      for (const id of output as string[]) {
        if (!snapshots.has(id)) out.add('error', rel, `cache record points at missing snapshot ${id}`);
      }
    }
  }
  return n;
}

async function checkExportMemos(root: string, present: ReadonlySet<string>, out: Findings): Promise<void> {
  const dir = path.join(root, 'cache', 'exports');
  for (const e of await listDir(dir)) {
    if (!readerVisible(e.name)) continue;
    const rel = path.join('cache', 'exports', e.name);
    const memo = await readJsonFile<unknown>(path.join(dir, e.name));
    if (!memo.ok) {
      out.add('error', rel, `export memo unreadable: ${memo.why}`);
      continue;
    }
    const v = memo.value;
    const manifest = isObject(v) && isObject(v.manifestDescriptor) ? v.manifestDescriptor.digest : undefined;
    if (typeof manifest !== 'string') out.add('error', rel, 'export memo has no manifest descriptor');
    else if (!present.has(manifest)) out.add('stale', rel, `export memo names manifest ${manifest}, since garbage-collected (re-exported on use)`);
  }
}

async function checkParseable(root: string, sub: string, out: Findings): Promise<void> {
  const dir = path.join(root, 'cache', sub);
  for (const e of await listDir(dir)) {
    // Only the files readers open (`<key>.json`); temp files are the leftover check's.
    if (!readerVisible(e.name) || !e.isFile() || !e.name.endsWith('.json')) continue;
    const r = await readJsonFile<unknown>(path.join(dir, e.name));
    if (!r.ok) out.add('error', path.join('cache', sub, e.name), `unreadable: ${r.why}`);
  }
}

/** Returns the number of cache records. */
export async function checkCache(root: string, present: ReadonlySet<string>, snapshots: ReadonlySet<string>, out: Findings): Promise<number> {
  const n = await checkRecords(root, snapshots, out);
  await checkExportMemos(root, present, out);
  await checkParseable(root, 'steps', out);
  await checkParseable(root, 'convert', out);
  await checkParseable(root, 'contenthash', out);
  return n;
}
