// HTTP source (ADD https://…): the file downloaded (checksum verified when given), named by
// http.filename, else Content-Disposition, else the URL's last path segment (BuildKit's
// rules), mode 0600 unless http.perm says otherwise, written as a one-file layer.
import { createHash } from 'node:crypto';
import { chmod, chown, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SourceAttr } from '../../llb/source-attrs.js';
import { httpRequest } from '../../registry/http.js';
import type { SourceOp } from '../../llb/types.js';
import type { LayersRef } from '../result.js';
import { type OpRun } from './context.js';

export function httpFilename(url: string, disposition: string | null, explicit: string | undefined): string {
  if (explicit) return explicit;
  const m = disposition ? /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition) : null;
  if (m?.[1]) {
    const base = path.posix.basename(decodeURIComponent(m[1]));
    if (base && base !== '.' && base !== '/') return base;
  }
  const p = new URL(url).pathname;
  const base = path.posix.basename(p);
  return base && base !== '/' ? base : 'index';
}

interface Download {
  data: Buffer;
  digest: string;
  /** The response's Content-Disposition and Last-Modified. */
  disposition: string | null;
  lastModified: string | null;
}

// One download per source and solve: made while computing cache keys (BuildKit keys an HTTP
// source by its content, so a changed remote file is never served from an older result),
// then reused by solveHTTP.
const downloads = new WeakMap<object, Map<string, Promise<Download>>>();

export function fetchHTTP(env: { signal: AbortSignal }, src: SourceOp): Promise<Download> {
  let perSolve = downloads.get(env);
  if (!perSolve) downloads.set(env, (perSolve = new Map()));
  const key = JSON.stringify([src.identifier, src.attrs[SourceAttr.HTTPChecksum] ?? '']);
  let p = perSolve.get(key);
  if (!p) perSolve.set(key, (p = download(env.signal, src)));
  return p;
}

async function download(signal: AbortSignal, src: SourceOp): Promise<Download> {
  const url = src.identifier;
  try {
    return await fetchOnce(signal, src);
  } catch (err) {
    if (signal.aborted && err === signal.reason) throw err;
    const msg = (err as Error).message ?? String(err);
    // Go's form, as BuildKit reports it: Get "<url>": <cause>.
    throw msg.includes(url) ? err : new Error(`Get "${url}": ${msg}`, { cause: err });
  }
}

async function fetchOnce(signal: AbortSignal, src: SourceOp): Promise<Download> {
  const url = src.identifier;
  const res = await httpRequest(url, { signal, maxRedirects: 20 });
  if (res.status < 200 || res.status > 299) {
    res.body.resume();
    throw new Error(`invalid response status ${res.status} for ${url}`);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of res.body) chunks.push(chunk as Buffer);
  const data = Buffer.concat(chunks);
  const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
  const want = src.attrs[SourceAttr.HTTPChecksum];
  if (want && want !== digest) throw new Error(`digest mismatch for ${url}: ${digest}, expected ${want}`);
  const header = (name: string): string | null => {
    const v = res.headers[name];
    return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
  };
  return { data, digest, disposition: header('content-disposition'), lastModified: header('last-modified') };
}

export async function solveHTTP(run: OpRun, src: SourceOp): Promise<LayersRef[]> {
  const url = src.identifier;
  const { data, disposition, lastModified } = await fetchHTTP(run.env, src);
  const name = httpFilename(url, disposition, src.attrs[SourceAttr.HTTPFilename]);
  const perm = src.attrs[SourceAttr.HTTPPerm] ? parseInt(src.attrs[SourceAttr.HTTPPerm]!, 10) : 0o600;
  const active = await run.env.snapshotter.prepare([]);
  try {
    const file = path.join(active.mountpoint, name);
    await writeFile(file, data);
    await chmod(file, perm);
    await chown(file, Number(src.attrs[SourceAttr.HTTPUID] ?? 0), Number(src.attrs[SourceAttr.HTTPGID] ?? 0));
    if (lastModified) await utimes(file, new Date(lastModified), new Date(lastModified));
    const id = run.snapshotId(0);
    await active.commit(id);
    return [{ kind: 'layers', layers: [{ snapshotId: id }] }];
  } finally {
    await active.cleanup().catch(() => undefined);
  }
}
