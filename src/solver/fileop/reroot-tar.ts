// Docker's Untar (BuildKit's ADD, through chrootarchive) unpacks inside a chroot of the
// destination, so the destination is "/" there and every cleaned name is joined to it:
// `/etc/x` lands at DEST/etc/x, and `../x` or `a/../../x` cannot climb above "/" and land at
// DEST/x (the breakout check never fires). Hardlink targets are joined the same way. The
// layer applier refuses absolute and `..` names outright, so ADD archives are re-encoded with
// every name (and hardlink target) made relative to the destination first. Symlink targets
// are kept as written. Untar skips only an entry named "." (the destination exists); a
// directory entry that reaches the root another way ("/", "..", "a/../..") sets the
// destination's own owner and mode, which the applier leaves alone, so those entries are
// handed to `onRootDir` instead.
import path from 'node:path';
import { END_OF_ARCHIVE, encodeHeader, padding, type TarHeader } from '../layer/tar-header.js';
import { readTar } from '../layer/tar-reader.js';

function reroot(name: string): string {
  const clean = path.posix.normalize('/' + name).replace(/^\/+/, '');
  const rel = clean === '' ? '.' : clean;
  return name.endsWith('/') && !rel.endsWith('/') ? rel + '/' : rel;
}

export async function* rerootedTar(plain: AsyncIterable<Uint8Array>,
  onRootDir?: (header: TarHeader) => void): AsyncGenerator<Buffer> {
  for await (const { header, body } of readTar(plain)) {
    const h = { ...header, name: reroot(header.name) };
    if (onRootDir && h.type === 'dir' && (h.name === './' || h.name === '.') && path.posix.normalize(header.name).replace(/\/$/, '') !== '.') {
      onRootDir(header);
      continue;
    }
    if (h.type === 'link') h.linkname = reroot(h.linkname);
    yield encodeHeader(h);
    for await (const chunk of body) yield chunk;
    if (h.size) yield Buffer.alloc(padding(h.size));
  }
  yield END_OF_ARCHIVE;
}
