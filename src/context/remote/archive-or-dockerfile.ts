// A remote or piped context is either a tar archive (plain, gzip or zstd: told apart by magic
// bytes, as buildx's archive detection does) or, when it is not, the Dockerfile itself with
// an empty context. Archives are unpacked as BuildKit unpacks them (ADD's rules: the
// context comes to its frontend as an archive that a copy with AttemptUnpack extracts in a
// chroot of the directory), so `..` and absolute names land inside it; the layer applier
// then refuses any write through a symlink out of it.
import { chmodSync, createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { rerootedTar } from '../../solver/fileop/reroot-tar.js';
import { applyLayer } from '../../solver/layer/apply-layer.js';
import { decompressedStream } from '../../solver/layer/decompress.js';
import type { TarHeader } from '../../solver/layer/tar-header.js';

const HEAD = 512;

/** 'tar' for a (compressed) tar, 'text' for anything else. */
export function sniffArchive(head: Buffer): 'tar' | 'text' | 'unsupported' {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'tar';
  if (head.length >= 4 && head.readUInt32BE(0) === 0x28b52ffd) return 'tar';
  if (head.length >= 3 && head.subarray(0, 3).toString('latin1') === 'BZh') return 'unsupported';
  if (head.length >= 6 && head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'unsupported';
  if (head.length >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar') return 'tar';
  return 'text';
}

/** Unpacks `file` into `dir` if it is an archive; otherwise returns its text as the Dockerfile. */
export async function contextFromFile(file: string, dir: string, what: string): Promise<{ dockerfileText?: string }> {
  const fh = await open(file, 'r');
  let head: Buffer;
  try {
    const buf = Buffer.alloc(HEAD);
    const { bytesRead } = await fh.read(buf, 0, HEAD, 0);
    head = buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
  const kind = sniffArchive(head);
  if (kind === 'unsupported') throw new Error(`${what}: bzip2 and xz archives are not supported (use a plain, gzip or zstd tar)`);
  if (kind === 'text') {
    const { readFile } = await import('node:fs/promises');
    return { dockerfileText: await readFile(file, 'utf8') };
  }
  let rootDir: TarHeader | undefined;
  try {
    await applyLayer(rerootedTar(await decompressedStream(createReadStream(file)), (h) => { rootDir = h; }), dir, { whiteouts: 'flatten' });
  } catch (err) {
    throw new Error(`${what}: cannot unpack the archive: ${(err as Error).message}`);
  }
  if (rootDir) chmodSync(dir, rootDir.mode & 0o7777); // an entry for the archive's root ("/", "..")
  return {};
}
