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
import { perSolveMemo } from './per-solve.js';

/** BuildKit's getFileName: http.filename, else Content-Disposition's, else the URL path's last
 *  element (decoded, as Go's url.Parse gives it). BuildKit's last resort is `download`; this
 *  one says `index` (test/solver/ops/units.test.ts pins it; a Dockerfile ADD always names the file). */
export function httpFilename(url: string, disposition: string | null, explicit: string | undefined): string {
  if (explicit) return explicit;
  const m = disposition ? /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition) : null;
  if (m?.[1] && !m[1].endsWith('/')) {
    let name = m[1];
    try {
      name = decodeURIComponent(name);
    } catch {
      // kept as sent
    }
    const base = path.posix.basename(name);
    if (base) return base;
  }
  try {
    const base = path.posix.basename(decodeURIComponent(new URL(url).pathname));
    if (base && base !== '.' && base !== '/') return base;
  } catch {
    // an unparsable URL falls back as in Go
  }
  return 'index';
}

/** The file's mtime: Last-Modified as Go's http.ParseTime reads it, else the Unix epoch. */
export function httpModTime(lastModified: string | null): Date {
  return new Date(lastModified ? (parseHTTPTime(lastModified) ?? 0) : 0);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const LONG_DAY = '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)';
const MON = `(${MONTHS.join('|')})`;
const HMS = '(\\d{2}):(\\d{2}):(\\d{2})';
// Go's http.TimeFormat (RFC 1123 in GMT), RFC 850 and ANSI C asctime: the forms ParseTime takes.
const RFC1123 = new RegExp(`^${DAY}, (\\d{2}) ${MON} (\\d{4}) ${HMS} GMT$`);
const RFC850 = new RegExp(`^${LONG_DAY}, (\\d{2})-${MON}-(\\d{2}) ${HMS} GMT$`);
const ANSIC = new RegExp(`^${DAY} ${MON} ([ \\d]\\d) ${HMS} (\\d{4})$`);

/** Milliseconds since the epoch of an HTTP date, or undefined where Go's ParseTime fails. */
export function parseHTTPTime(v: string): number | undefined {
  let y: number, mo: string, d: number, h: string, mi: string, sec: string;
  let m = RFC1123.exec(v);
  if (m) [d, mo, y, h, mi, sec] = [Number(m[1]), m[2]!, Number(m[3]), m[4]!, m[5]!, m[6]!];
  else if ((m = RFC850.exec(v))) {
    // Go's two-digit years: 69-99 are 19xx, 00-68 are 20xx.
    const yy = Number(m[3]);
    [d, mo, y, h, mi, sec] = [Number(m[1]), m[2]!, yy >= 69 ? 1900 + yy : 2000 + yy, m[4]!, m[5]!, m[6]!];
  } else if ((m = ANSIC.exec(v))) [mo, d, h, mi, sec, y] = [m[1]!, Number(m[2]!.trim()), m[3]!, m[4]!, m[5]!, Number(m[6])];
  else return undefined;
  const month = MONTHS.indexOf(mo);
  const t = Date.UTC(y, month, d, Number(h), Number(mi), Number(sec));
  const back = new Date(t);
  // Out-of-range fields (31 Feb, 25:00) fail in Go.
  if (back.getUTCDate() !== d || back.getUTCMonth() !== month || Number(h) > 23 || Number(mi) > 59 || Number(sec) > 59) return undefined;
  return t;
}

/** An integer attribute as Go's strconv.ParseInt(v, 0, 64) reads it (0x…, 0o…, 0…, 0b… prefixes). */
export function parseGoInt(v: string): number {
  const m = /^([+-]?)(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|0[0-7_]*|[1-9][0-9_]*)$/.exec(v);
  if (!m) throw new Error(`strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
  const body = m[2]!.replace(/_/g, '');
  const n = /^0[xXoObB]/.test(body) ? Number(body.toLowerCase()) : body.length > 1 && body.startsWith('0') ? parseInt(body, 8) : parseInt(body, 10);
  return m[1] === '-' ? -n : n;
}

interface Download {
  data: Buffer;
  /** The cache key's digest: the pinned checksum when one is given (BuildKit keys a pinned
   *  source by it without fetching), else the content's. */
  digest: string;
  /** The content's digest. */
  actual: string;
  /** The response's Content-Disposition and Last-Modified. */
  disposition: string | null;
  lastModified: string | null;
}

// One download per source and solve: made while computing cache keys (BuildKit keys an HTTP
// source by its content, so a changed remote file is never served from an older result),
// then reused by solveHTTP.
const downloads = perSolveMemo<Download>();

export function fetchHTTP(env: { signal: AbortSignal }, src: SourceOp): Promise<Download> {
  const key = JSON.stringify([src.identifier, src.attrs[SourceAttr.HTTPChecksum] ?? '']);
  return downloads(env, key, () => download(env.signal, src));
}

async function download(signal: AbortSignal, src: SourceOp): Promise<Download> {
  const url = src.identifier;
  try {
    return await fetchOnce(signal, src);
  } catch (err) {
    if ((signal.aborted && err === signal.reason) || err instanceof StatusError) throw err;
    const msg = (err as Error).message ?? String(err);
    // Go's form, as BuildKit reports it: Get "<url>": <cause>.
    throw msg.includes(url) ? err : new Error(`Get "${url}": ${msg}`, { cause: err });
  }
}

/** A reply the server gave, reported as BuildKit does (no Go `Get "<url>":` prefix). */
class StatusError extends Error {}

async function fetchOnce(signal: AbortSignal, src: SourceOp): Promise<Download> {
  const url = src.identifier;
  const res = await httpRequest(url, { signal, maxRedirects: 20 });
  if (res.status < 200 || res.status >= 400) {
    res.body.resume();
    throw new StatusError(`invalid response status ${res.status}`);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of res.body) chunks.push(chunk as Buffer);
  const data = Buffer.concat(chunks);
  const actual = `sha256:${createHash('sha256').update(data).digest('hex')}`;
  // A pinned checksum is the cache key; a mismatch fails the source's snapshot (solveHTTP).
  const digest = src.attrs[SourceAttr.HTTPChecksum] || actual;
  const header = (name: string): string | null => {
    const v = res.headers[name];
    return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
  };
  return { data, digest, actual, disposition: header('content-disposition'), lastModified: header('last-modified') };
}

export async function solveHTTP(run: OpRun, src: SourceOp): Promise<LayersRef[]> {
  const url = src.identifier;
  const { data, digest, actual, disposition, lastModified } = await fetchHTTP(run.env, src);
  // BuildKit's Snapshot: "digest mismatch <content's>: <pinned>".
  if (digest !== actual) throw new Error(`digest mismatch ${actual}: ${digest}`);
  const name = httpFilename(url, disposition, src.attrs[SourceAttr.HTTPFilename]);
  const attr = (k: string): number => (src.attrs[k] ? parseGoInt(src.attrs[k]!) : 0);
  const perm = attr(SourceAttr.HTTPPerm) || 0o600;
  const active = await run.env.snapshotter.prepare([]);
  try {
    const file = path.join(active.mountpoint, name);
    await writeFile(file, data);
    await chmod(file, perm);
    await chown(file, attr(SourceAttr.HTTPUID), attr(SourceAttr.HTTPGID));
    const mtime = httpModTime(lastModified);
    await utimes(file, mtime, mtime);
    const id = run.snapshotId(0);
    await active.commit(id);
    return [{ kind: 'layers', layers: [{ snapshotId: id }] }];
  } finally {
    await active.cleanup().catch(() => undefined);
  }
}
