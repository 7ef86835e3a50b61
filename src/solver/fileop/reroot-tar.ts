// Docker's Untar confines an archive to the destination by joining every cleaned name to it:
// `/etc/x` lands at DEST/etc/x (as does a hardlink target `/etc/x`), while `../x` is a
// breakout and refused. The layer applier refuses absolute names outright, so ADD archives
// are re-encoded with such names made relative first; `..` names are left for it to refuse.
import path from 'node:path';
import { END_OF_ARCHIVE, encodeHeader, padding } from '../layer/tar-header.js';
import { readTar } from '../layer/tar-reader.js';

function reroot(name: string): string {
  if (!name.startsWith('/')) return name;
  const clean = path.posix.normalize(name).replace(/^\/+/, '');
  const rel = clean === '' ? '.' : clean;
  return name.endsWith('/') && !rel.endsWith('/') ? rel + '/' : rel;
}

export async function* rerootedTar(plain: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer> {
  for await (const { header, body } of readTar(plain)) {
    const h = { ...header, name: reroot(header.name) };
    if (h.type === 'link') h.linkname = reroot(h.linkname);
    yield encodeHeader(h);
    for await (const chunk of body) yield chunk;
    if (h.size) yield Buffer.alloc(padding(h.size));
  }
  yield END_OF_ARCHIVE;
}
