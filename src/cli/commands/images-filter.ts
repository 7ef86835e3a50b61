// `images --filter` (Docker's keys: dangling, label, before, since, until, reference). Values of one
// key are alternatives (OR); different keys must all match (AND).
import { parseReference } from '../../registry/reference.js';
import { UsageError } from '../errors.js';
import { ImageCommandError, NoSuchImageError } from '../../store/errors.js';
import type { ImageRecord } from '../../store/image-record.js';
import type { ImageStore } from '../../store/image-store.js';

const KEYS = new Set(['dangling', 'label', 'before', 'since', 'until', 'reference']);

export type Filters = Map<string, string[]>;

export function parseFilters(args: readonly string[], allowed: ReadonlySet<string> = KEYS): Filters {
  const out: Filters = new Map();
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq <= 0) throw new UsageError(`invalid argument "${arg}" for "-f, --filter" flag: bad format of filter (expected name=value)`);
    const key = arg.slice(0, eq).trim().toLowerCase();
    if (!allowed.has(key)) throw new ImageCommandError(`Invalid filter '${key}'`);
    out.set(key, [...(out.get(key) ?? []), arg.slice(eq + 1)]);
  }
  return out;
}

/** Go's path.Match on a familiar reference: `*` and `?` stop at `/`, `[…]` classes. */
export function globMatch(pattern: string, s: string): boolean {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\' && i + 1 < pattern.length) re += escapeRe(pattern[++i]!);
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) return false; // Go: ErrBadPattern, which matches nothing
      let cls = pattern.slice(i + 1, end);
      if (cls.startsWith('^')) cls = `^${cls.slice(1).replace(/\\/g, '\\\\')}`;
      else cls = cls.replace(/\\/g, '\\\\');
      re += `[${cls}]`;
      i = end;
    } else re += escapeRe(c);
  }
  return new RegExp(`^${re}$`).test(s);
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Docker's FamiliarMatch: the pattern may match `name:tag` or just `name`. */
export function referenceMatches(pattern: string, fullName: string): boolean {
  const ref = parseReference(fullName, { defaultTag: false });
  return globMatch(pattern, ref.familiarString()) || globMatch(pattern, ref.familiarName());
}

/** `key` (present) or `key=value` (equal) against an image's labels. */
export function labelMatches(have: Record<string, string>, filter: string): boolean {
  const eq = filter.indexOf('=');
  return eq < 0 ? filter in have : have[filter.slice(0, eq)] === filter.slice(eq + 1);
}

function parseBool(key: string, v: string): boolean {
  if (['true', '1'].includes(v.toLowerCase())) return true;
  if (['false', '0'].includes(v.toLowerCase())) return false;
  throw new ImageCommandError(`Invalid filter '${key}=${v}'`);
}

/**
 * Applies the filters. Returns the records kept, with `tags`/`digests` narrowed to the names
 * a reference filter matched (Docker shows only those rows).
 */
export async function applyFilters(store: ImageStore, records: ImageRecord[], filters: Filters): Promise<ImageRecord[]> {
  const dangling = filters.get('dangling')?.map((v) => parseBool('dangling', v));
  const bound = async (key: string): Promise<number | undefined> => {
    const values = filters.get(key);
    if (!values) return undefined;
    let t: number | undefined;
    for (const v of values) {
      const r = await store.resolve(v);
      if (!r) throw new NoSuchImageError(v);
      const ms = r.created ? Date.parse(r.created) : 0;
      t = key === 'before' ? Math.min(t ?? ms, ms) : Math.max(t ?? ms, ms);
    }
    return t;
  };
  const before = await bound('before');
  const since = await bound('since');
  const until = filters.get('until')?.map(parseUntil);
  const labels = filters.get('label');
  const refs = filters.get('reference');
  const out: ImageRecord[] = [];
  for (const r of records) {
    // moby: dangling=true keeps images without tags; dangling=false drops only images
    // without any name, so a digest-only image passes both.
    if (dangling && !dangling.some((d) => (d ? r.tags.length === 0 : r.tags.length > 0 || r.digests.length > 0))) continue;
    const created = r.created ? Date.parse(r.created) : 0;
    if (before !== undefined && !(created < before)) continue;
    if (since !== undefined && !(created > since)) continue;
    if (until && !until.every((t) => created < t)) continue;
    if (labels) {
      const imageLabels = (await store.load(r)).config.config?.Labels ?? {};
      if (!labels.every((l) => labelMatches(imageLabels, l))) continue;
    }
    if (refs) {
      const tags = r.tags.filter((n) => refs.some((p) => referenceMatches(p, n)));
      const digests = r.digests.filter((n) => refs.some((p) => referenceMatches(p, n)));
      if (tags.length === 0 && digests.length === 0) continue;
      out.push({ ...r, tags, digests });
      continue;
    }
    out.push(r);
  }
  return out;
}

/** `until=` takes a timestamp or a Go duration (`24h`, `90m`) before now. */
export function parseUntil(v: string): number {
  const d = /^(\d+(?:\.\d+)?)(h|m|s)$/.exec(v);
  if (d) return Date.now() - Number(d[1]) * { h: 3_600_000, m: 60_000, s: 1000 }[d[2] as 'h' | 'm' | 's'];
  const t = /^\d+$/.test(v) ? Number(v) * 1000 : Date.parse(v);
  if (Number.isNaN(t)) throw new ImageCommandError(`invalid until filter value "${v}"`);
  return t;
}
