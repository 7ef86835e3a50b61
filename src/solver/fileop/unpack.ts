// ADD's Docker compatibility: a local source that is a tar archive (possibly compressed) is
// extracted into the destination directory instead of being copied. Entries keep the
// modes in the archive, and its owners unless --chown names one; names are confined to the destination (absolute and `..`
// names are re-rooted into it as Docker's chrooted Untar does, every parent resolved inside it).
import { chmodSync } from 'node:fs';
import path from 'node:path';
import { fsPath } from '../layer/byte-names.js';
import { applyLayer } from '../layer/apply-layer.js';
import { lstatIfExists } from '../layer/lstat-if-exists.js';
import type { TarHeader } from '../layer/tar-header.js';
import { readTar } from '../layer/tar-reader.js';
import { openArchiveStream } from './archive-stream.js';
import type { DestTree } from './dest-tree.js';
import type { SourceTree } from './source-tree.js';
import { displayPath, FileOpError } from './errors.js';
import { setOwner, setTimes, type Owner } from './fs-meta.js';
import { mkdirAllInRoot } from './mkdir-all.js';
import { rerootedTar } from './reroot-tar.js';

const PROBE_BYTES = 1 << 20;

/** Yields at most `limit` bytes of `source`. */
async function* prefix(source: AsyncIterable<Uint8Array>, limit: number): AsyncGenerator<Uint8Array> {
  let left = limit;
  for await (const chunk of source) {
    if (chunk.byteLength >= left) {
      yield chunk.subarray(0, left);
      return;
    }
    left -= chunk.byteLength;
    yield chunk;
  }
}

/** Docker's isArchivePath: a regular file whose decompressed start is a valid tar header. */
export async function isArchive(file: string, name: string): Promise<boolean> {
  if (!lstatIfExists(file)?.isFile()) return false;
  let archive;
  try {
    archive = openArchiveStream(file, name);
  } catch {
    return false;
  }
  try {
    const first = await readTar(prefix(archive.stream, PROBE_BYTES))[Symbol.asyncIterator]().next();
    return !first.done;
  } catch (err) {
    // A missing decompressor must be reported, not mistaken for "not an archive".
    if (err instanceof FileOpError && /not installed/.test(err.message)) throw err;
    return false;
  } finally {
    archive.close();
  }
}

export interface UnpackOptions {
  source: SourceTree;
  src: string;
  destRoot: DestTree;
  dest: string;
  owner?: Owner;
  timestamp?: bigint;
}

/** Extracts `src` into `dest` when it is an archive; false when it is not one. */
export async function unpackIfArchive(o: UnpackOptions): Promise<boolean> {
  const host = o.source.resolve(o.src, true);
  const name = displayPath(o.src);
  if (!o.source.lstat(host)?.isFile()) return false;
  const file = o.source.contentPath(host);
  if (!(await isArchive(file, name))) return false;
  // The extraction writes below dest without announcing its writes to the tree.
  o.destRoot.requireMounted('ADD extracts an archive');
  const dest = o.destRoot.resolve(o.dest);
  mkdirAllInRoot(o.destRoot, dest, 0o755, o.owner, o.timestamp);
  const archive = openArchiveStream(file, name);
  let rootDir: TarHeader | undefined;
  try {
    // --chown owns every entry (BuildKit 0.23+, buildkit#5987); without it the archive's owners stay.
    await applyLayer(rerootedTar(archive.stream, (h) => { rootDir = h; }), dest, { whiteouts: 'flatten', ...(o.owner ? { owner: o.owner } : {}) });
  } catch (err) {
    throw new FileOpError(`failed to extract ${name} into ${displayPath(path.relative(o.destRoot.root, dest))}: ${(err as Error).message}`);
  } finally {
    archive.close();
  }
  if (rootDir) {
    // createTarFile on the destination itself: lchown, chmod, then the times.
    setOwner(dest, o.owner ?? { uid: rootDir.uid, gid: rootDir.gid });
    chmodSync(fsPath(dest), rootDir.mode & 0o7777);
    setTimes(dest, rootDir.mtime, rootDir.mtime);
  }
  return true;
}
