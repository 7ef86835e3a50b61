// Layer compression for export: the choice (type, level, force), its memo key, its media type,
// and the compressing stream. gzip goes through zlib at a fixed level with Node's header
// (no name, mtime 0), so the same tar always gives the same blob; zstd goes through the
// `zstd` CLI with one worker (multi-worker frames could depend on the core count).
import { spawn } from 'node:child_process';
import { PassThrough, Readable } from 'node:stream';
import { createGzip, gzipSync } from 'node:zlib';
import { coalesce } from '../content/coalesce.js';
import { MediaType } from '../content/media-types.js';

export type CompressionType = 'gzip' | 'zstd' | 'uncompressed';

export interface Compression {
  type: CompressionType;
  /** Compression level; undefined = the type's default (gzip 6, zstd 3). */
  level?: number;
  /** Recompress base layers that already have a blob in another compression. */
  force?: boolean;
}

export const DEFAULT_COMPRESSION: Compression = { type: 'gzip' };

const DEFAULT_LEVEL: Record<CompressionType, number> = { gzip: 6, zstd: 3, uncompressed: 0 };

export class CompressorMissingError extends Error {}

/** The layer.json blob key: `gzip`, `gzip-9`, `zstd`, `zstd-19`, `uncompressed`. */
export function compressionKey(c: Compression): string {
  if (c.type === 'uncompressed' || c.level === undefined) return c.type;
  return `${c.type}-${c.level}`;
}

/** Compression named by a layer media type (undefined for types that are not layers). */
export function compressionOfMediaType(mt: string): CompressionType | undefined {
  if (/\+gzip$|\.gzip$/.test(mt)) return 'gzip';
  if (/\+zstd$/.test(mt)) return 'zstd';
  if (/\.tar$|\/vnd\.oci\.image\.layer\.v1\.tar$/.test(mt)) return 'uncompressed';
  return undefined;
}

/** The layer media type for a compression in an OCI or a Docker schema2 manifest. */
export function layerMediaType(type: CompressionType, oci: boolean): string {
  if (oci) {
    if (type === 'gzip') return MediaType.OCI_LAYER_GZIP;
    if (type === 'zstd') return MediaType.OCI_LAYER_ZSTD;
    return MediaType.OCI_LAYER;
  }
  if (type === 'gzip') return MediaType.DOCKER_LAYER_GZIP;
  if (type === 'zstd') throw new Error('zstd layers need OCI media types');
  return MediaType.DOCKER_LAYER;
}

/** A compressed copy of `tar`; errors of the source end the output. */
export function compressStream(tar: Readable, c: Compression): Readable {
  const level = c.level ?? DEFAULT_LEVEL[c.type];
  if (c.type === 'uncompressed') return tar;
  if (c.type === 'gzip') {
    const gz = createGzip({ level, chunkSize: 256 * 1024 });
    // Tar headers and small files arrive as many small chunks: one zlib job per 256 KiB.
    const feed = Readable.from(coalesce(tar, 256 * 1024));
    feed.on('error', (err) => gz.destroy(err));
    return feed.pipe(gz);
  }
  return zstdStream(tar, level);
}

function zstdStream(tar: Readable, level: number): Readable {
  const args = [`-${level}`, '-T1', '-c', '-q', '--no-progress'];
  if (level > 19) args.unshift('--ultra');
  const child = spawn('zstd', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  // Read the child's stdout at once: Node resumes (and drops) unread stdio of a child that
  // has exited, so a consumer that starts late would see an empty blob.
  // The output ends only once zstd exited 0, so a failure never looks like a short blob.
  const out = new PassThrough({ highWaterMark: 256 * 1024 });
  child.stdout.pipe(out, { end: false });
  // The reader may start only after a spawn failure: the destroyed stream keeps the error and
  // hands it to the reader, so it must not also crash the process as an unhandled 'error'.
  out.on('error', () => undefined);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  child.on('error', (err: NodeJS.ErrnoException) => {
    out.destroy(err.code === 'ENOENT'
      ? new CompressorMissingError('compression=zstd needs the `zstd` command, which is not installed (apt-get install zstd)')
      : err);
  });
  child.on('close', (code, signal) => {
    if (code === 0) out.end();
    else if (!out.destroyed) out.destroy(new Error(`zstd failed (${code !== null ? `exit ${code}` : signal}): ${stderr.trim()}`));
  });
  tar.on('error', (err) => {
    child.kill();
    out.destroy(err);
  });
  child.stdin.on('error', () => { /* reported through the exit status */ });
  tar.pipe(child.stdin);
  return out;
}

/** Tars at most this big are compressed in one call (compressNow) rather than through streams. */
export const SMALL_TAR = 64 * 1024;

/**
 * A small tar compressed in one synchronous call (a few hundred microseconds at most, instead
 * of stream plumbing and zlib thread-pool jobs), or undefined where only compressStream can:
 * zstd (its CLI) and gzip level 0 (stored blocks follow the input's pieces). The bytes are
 * compressStream's: deflate's output does not depend on how its input is split.
 */
export function compressNow(tar: Buffer, c: Compression): Buffer | undefined {
  if (c.type === 'uncompressed') return tar;
  const level = c.level ?? DEFAULT_LEVEL[c.type];
  if (c.type === 'gzip' && level > 0) return gzipSync(tar, { level });
  return undefined;
}

/** Starts reading `source` now (a child's stdout is dropped if nobody reads it before it exits). */
export function readEagerly(source: AsyncIterable<Uint8Array>): Readable {
  const out = new PassThrough({ highWaterMark: 256 * 1024 });
  const src = Readable.from(source, { objectMode: false });
  src.on('error', (err) => out.destroy(err));
  src.pipe(out);
  return out;
}

/** `head` (already read from `rest`'s source) then the rest, each chunk given to onChunk on the way. */
export function tapStream(head: readonly Buffer[], rest: AsyncIterator<Buffer>, onChunk: (chunk: Buffer) => void): Readable {
  const it = (async function* () {
    try {
      for (const chunk of head) {
        onChunk(chunk);
        yield chunk;
      }
      for (let next = await rest.next(); !next.done; next = await rest.next()) {
        onChunk(next.value);
        yield next.value;
      }
    } finally {
      // A reader that stops early (a failed write) closes the source, as for-await would.
      await rest.return?.();
    }
  })();
  return Readable.from(it, { objectMode: false });
}
