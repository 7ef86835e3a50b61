// Helpers for layer tests: collect a stream, list a tar's entries, hand-craft tars.
import { Readable } from 'node:stream';
import { END_OF_ARCHIVE, emptyHeader, encodeHeader, padding, type TarEntryType, type TarHeader } from '../../../src/solver/layer/tar-header.js';
import { readTar } from '../../../src/solver/layer/tar-reader.js';

export async function collect(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts);
}

export interface ListedEntry { header: TarHeader; content: Buffer }

export async function listTar(data: Buffer): Promise<ListedEntry[]> {
  const out: ListedEntry[] = [];
  for await (const { header, body } of readTar(Readable.from([data]))) {
    out.push({ header, content: await collect(body) });
  }
  return out;
}

export async function tarNames(data: Buffer): Promise<string[]> {
  return (await listTar(data)).map((e) => e.header.name);
}

export interface FixtureEntry {
  name: string;
  type?: TarEntryType;
  content?: string | Buffer;
  linkname?: string;
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: number;
  xattrs?: Record<string, string | Buffer>;
}

/** A tar built entry by entry, exactly as given (including hostile names). */
export function makeTar(entries: FixtureEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const h = emptyHeader(e.name, e.type ?? 'file');
    const content = e.content === undefined ? Buffer.alloc(0) : Buffer.from(e.content);
    h.size = h.type === 'file' ? content.length : 0;
    h.mode = e.mode ?? (h.type === 'dir' ? 0o755 : 0o644);
    h.uid = e.uid ?? 0;
    h.gid = e.gid ?? 0;
    h.mtime = e.mtime ?? 1_600_000_000;
    h.linkname = e.linkname ?? '';
    for (const [k, v] of Object.entries(e.xattrs ?? {})) h.xattrs.set(k, Buffer.from(v));
    parts.push(encodeHeader(h));
    if (h.size) parts.push(content, Buffer.alloc(padding(h.size)));
  }
  parts.push(END_OF_ARCHIVE);
  return Buffer.concat(parts);
}
