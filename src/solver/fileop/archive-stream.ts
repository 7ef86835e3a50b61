// Docker's DecompressStream for ADD: plain, gzip, bzip2, xz or zstd, told apart by magic
// bytes. gzip through zlib; bzip2, xz and zstd through their CLIs (Node has no decoders).
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { fsPath } from '../layer/byte-names.js';
import { FileOpError } from './errors.js';

export type ArchiveCompression = 'none' | 'gzip' | 'bzip2' | 'xz' | 'zstd';

export function detectArchiveCompression(head: Uint8Array): ArchiveCompression {
  const starts = (magic: number[]): boolean => magic.every((b, i) => head[i] === b);
  if (starts([0x1f, 0x8b, 0x08])) return 'gzip';
  if (starts([0x42, 0x5a, 0x68])) return 'bzip2';
  if (starts([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) return 'xz';
  if (starts([0x28, 0xb5, 0x2f, 0xfd])) return 'zstd';
  return 'none';
}

export interface ArchiveStream {
  stream: Readable;
  compression: ArchiveCompression;
  /** Stops reading (kills a decompressor child). */
  close(): void;
}

function readHead(file: string): Buffer {
  const fd = openSync(fsPath(file), 'r');
  try {
    const buf = Buffer.alloc(8);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/** The decompressed bytes of `file` (an already resolved regular file). */
export function openArchiveStream(file: string, displayName: string): ArchiveStream {
  const compression = detectArchiveCompression(readHead(file));
  if (compression === 'none' || compression === 'gzip') {
    const raw = createReadStream(fsPath(file));
    if (compression === 'none') return { stream: raw, compression, close: () => raw.destroy() };
    const gunzip = createGunzip();
    raw.on('error', (err) => gunzip.destroy(err));
    raw.pipe(gunzip);
    return { stream: gunzip, compression, close: () => { raw.destroy(); gunzip.destroy(); } };
  }
  const fd = openSync(fsPath(file), 'r');
  let child: ChildProcess;
  try {
    child = spawn(compression, ['-d', '-c'], { stdio: [fd, 'pipe', 'pipe'] });
  } finally {
    closeSync(fd);
  }
  const out = child.stdout as Readable;
  let stderr = '';
  let closed = false;
  child.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
  child.on('error', (err: NodeJS.ErrnoException) => {
    out.destroy(err.code === 'ENOENT'
      ? new FileOpError(`${displayName} is ${compression}-compressed but the \`${compression}\` command is not installed (apt-get install ${compression === 'xz' ? 'xz-utils' : compression})`)
      : err);
  });
  child.on('close', (code) => {
    if (code !== 0 && !closed) out.destroy(new FileOpError(`${compression} -d ${displayName} failed (exit ${code}): ${stderr.trim()}`));
  });
  return {
    stream: out,
    compression,
    close: () => {
      closed = true;
      child.kill();
      out.destroy();
    },
  };
}
