// `slipway images` / `image ls`: Docker's listing, one row per repository:tag (and per
// digest with --digests), newest image first.
import { parseReference } from '../../registry/reference.js';
import { imageSize } from '../../store/image-size.js';
import type { ImageRecord } from '../../store/image-record.js';
import { openImageStore } from '../../store/open.js';
import { renderRows } from '../format/render.js';
import { createdAt, createdSince, humanSize } from '../format/units.js';
import { applyFilters, parseFilters } from './images-filter.js';

export interface ImagesOptions {
  all?: boolean;
  quiet?: boolean;
  digests?: boolean;
  trunc?: boolean;
  filter?: string[];
  format?: string;
}

export const IMAGE_HEADERS: Record<string, string> = {
  Repository: 'REPOSITORY',
  Tag: 'TAG',
  ID: 'IMAGE ID',
  Digest: 'DIGEST',
  CreatedSince: 'CREATED',
  CreatedAt: 'CREATED AT',
  Size: 'SIZE',
  Containers: 'CONTAINERS',
  SharedSize: 'SHARED SIZE',
  UniqueSize: 'UNIQUE SIZE',
  VirtualSize: 'VIRTUAL SIZE',
};

export interface ImageRow {
  Repository: string;
  Tag: string;
  Digest: string;
  ID: string;
  CreatedSince: string;
  CreatedAt: string;
  Size: string;
  Containers: string;
  SharedSize: string;
  UniqueSize: string;
  VirtualSize: string;
}

export function shortId(id: string, trunc: boolean): string {
  return trunc ? id.replace(/^sha256:/, '').slice(0, 12) : id;
}

export async function runImages(root: string, repository: string | undefined, opts: ImagesOptions): Promise<void> {
  const store = openImageStore(root);
  const filters = parseFilters(opts.filter ?? []);
  if (repository) filters.set('reference', [...(filters.get('reference') ?? []), repository]);
  const records = await applyFilters(store, await store.list(), filters);
  // docker/cli NewImageFormat: -q only replaces the default table; --digests adds a Digest
  // column to a custom table; a template naming {{.Digest}} shows digests on tag rows.
  let format = opts.format;
  if (opts.quiet && (format === undefined || format === '' || format === 'table')) format = '{{.ID}}';
  if (format?.startsWith('table') && format !== 'table' && opts.digests && !format.includes('{{.Digest}}')) format += '\t{{.Digest}}';
  const needDigest = Boolean(opts.digests) || Boolean(format?.includes('{{.Digest}}'));
  const rows: ImageRow[] = [];
  for (const r of records) {
    const bytes = await imageSize(store, r);
    const size = humanSize(bytes, 3);
    const base = {
      ID: shortId(r.id, opts.trunc !== false),
      CreatedSince: createdSince(r.created),
      CreatedAt: createdAt(r.created),
      Size: size,
      Containers: 'N/A',
      SharedSize: 'N/A',
      UniqueSize: 'N/A',
      VirtualSize: humanSize(bytes),
    };
    for (const [Repository, Tag, Digest] of rowNames(r, needDigest, Boolean(opts.digests))) rows.push({ Repository, Tag, Digest, ...base });
  }
  const created = '{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}';
  const defaultFormat = opts.digests
    ? `table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t${created}\t{{.Size}}`
    : `table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t${created}\t{{.Size}}`;
  process.stdout.write(renderRows(rows, { format, defaultFormat, headers: IMAGE_HEADERS }));
}

/** Docker's imageFormatTaggedAndDigest: [repository, tag, digest] per row. */
export function rowNames(r: ImageRecord, needDigest: boolean, digestFlag: boolean): Array<[string, string, string]> {
  if (r.tags.length === 0 && r.digests.length === 0) return [['<none>', '<none>', '<none>']];
  const tagsByRepo = new Map<string, string[]>();
  for (const name of r.tags) {
    const ref = parseReference(name);
    const repo = ref.familiarName();
    tagsByRepo.set(repo, [...(tagsByRepo.get(repo) ?? []), ref.tag ?? 'latest']);
  }
  const digestsByRepo = new Map<string, string[]>();
  for (const name of r.digests) {
    const ref = parseReference(name, { defaultTag: false });
    const repo = ref.familiarName();
    digestsByRepo.set(repo, [...(digestsByRepo.get(repo) ?? []), ref.digest ?? '']);
  }
  const rows: Array<[string, string, string]> = [];
  for (const repo of [...tagsByRepo.keys()].sort()) {
    const digests = needDigest ? (digestsByRepo.get(repo) ?? []) : [];
    digestsByRepo.delete(repo);
    for (const tag of tagsByRepo.get(repo)!) {
      if (digests.length === 0) rows.push([repo, tag, '<none>']);
      else for (const d of digests) rows.push([repo, tag, d]);
    }
  }
  for (const repo of [...digestsByRepo.keys()].sort()) {
    if (digestFlag) for (const d of digestsByRepo.get(repo)!) rows.push([repo, '<none>', d]);
    else rows.push([repo, '<none>', '']);
  }
  return rows;
}
