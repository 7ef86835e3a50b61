// Content-addressed blob store: `<root>/store/blobs/sha256/<hex>`, an OCI image layout's blob
// directory. Every write hashes while streaming into `<root>/store/ingest/`, fsyncs, checks the
// expected digest/size and only then renames into place, so a half-written or corrupt blob is
// never visible under its digest (DESIGN.md principle 2).
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, type ReadStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { parseDigest } from './digest.js';

export interface ExpectedContent {
  digest?: string;
  size?: number;
}

export interface WriteOptions {
  /**
   * false: return once the blob is complete and renamed into place, before its name is
   * made durable; the caller must call syncNames() before it makes anything durable that
   * names the blob (a manifest, index.json). Its data is fsynced before the rename either
   * way: a blob is never visible with wrong content, only possibly gone after a crash.
   */
  syncName?: boolean;
}

/** The content did not match what the caller said it should be: nothing was stored. */
export class DigestMismatchError extends Error {
  constructor(
    message: string,
    readonly expected: ExpectedContent,
    readonly actual: { digest: string; size: number } | { size: number },
  ) {
    super(message);
    this.name = 'DigestMismatchError';
  }
}

const OCI_LAYOUT = '{"imageLayoutVersion":"1.0.0"}';

export class ContentStore {
  readonly storeDir: string;
  readonly blobsDir: string;
  readonly ingestDir: string;
  private prepared: Promise<void> | undefined;
  /** Blob renames so far, and how many of them a finished directory fsync covers. */
  private renames = 0;
  private synced = 0;
  private syncing: Promise<void> | undefined;

  constructor(readonly root: string) {
    this.storeDir = path.join(root, 'store');
    this.blobsDir = path.join(this.storeDir, 'blobs', 'sha256');
    this.ingestDir = path.join(this.storeDir, 'ingest');
  }

  /** Creates the layout directories and `oci-layout` once per instance. */
  ensureLayout(): Promise<void> {
    this.prepared ??= (async () => {
      await fs.mkdir(this.blobsDir, { recursive: true });
      await fs.mkdir(this.ingestDir, { recursive: true });
      const layout = path.join(this.storeDir, 'oci-layout');
      try {
        await fs.writeFile(layout, OCI_LAYOUT, { flag: 'wx' });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    })();
    return this.prepared;
  }

  path(digest: string): string {
    return path.join(this.blobsDir, parseDigest(digest).hex);
  }

  async has(digest: string): Promise<boolean> {
    return (await this.size(digest)) !== undefined;
  }

  async size(digest: string): Promise<number | undefined> {
    try {
      const st = await fs.stat(this.path(digest));
      return st.isFile() ? st.size : undefined;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  /** Reads a whole blob; does not re-verify (blobs were verified when written). */
  readBytes(digest: string): Promise<Buffer> {
    return fs.readFile(this.path(digest));
  }

  /** Reads in 1 MiB chunks: fewer reads, and fewer zlib jobs when a layer is gunzipped. */
  openRead(digest: string): ReadStream {
    return createReadStream(this.path(digest), { highWaterMark: 1 << 20 });
  }

  /**
   * Streams `source` into the store. Resolves with the digest and size of what was written;
   * rejects (and leaves nothing behind) if `expected` digest or size do not match.
   */
  async writeStream(
    source: AsyncIterable<Uint8Array> | Readable,
    expected: ExpectedContent = {},
    opts: WriteOptions = {},
  ): Promise<{ digest: string; size: number }> {
    if (expected.digest !== undefined) parseDigest(expected.digest);
    await this.ensureLayout();
    const tmp = path.join(this.ingestDir, `${process.pid}-${randomBytes(8).toString('hex')}`);
    const hash = createHash('sha256');
    let size = 0;
    const fh = await fs.open(tmp, 'wx', 0o644);
    let renamed = false;
    try {
      try {
        // One writev per MiB rather than a write per socket read (64 KiB): fewer thread-pool
        // round trips, and no copy.
        const batch = new WriteBatch(fh, 1 << 20);
        for await (const buf of bytesOf(source)) {
          size += buf.byteLength;
          if (expected.size !== undefined && size > expected.size) {
            throw new DigestMismatchError(
              `size mismatch: expected ${expected.size} bytes${expected.digest ? ` for ${expected.digest}` : ''}, got more`,
              expected,
              { size },
            );
          }
          hash.update(buf);
          await batch.add(buf);
        }
        await batch.flush();
        await fh.sync();
      } finally {
        await fh.close();
      }
      const digest = `sha256:${hash.digest('hex')}`;
      if (expected.size !== undefined && size !== expected.size) {
        throw new DigestMismatchError(
          `size mismatch: expected ${expected.size} bytes${expected.digest ? ` for ${expected.digest}` : ''}, got ${size}`,
          expected,
          { digest, size },
        );
      }
      if (expected.digest !== undefined && digest !== expected.digest) {
        throw new DigestMismatchError(`digest mismatch: expected ${expected.digest}, got ${digest}`, expected, { digest, size });
      }
      const dest = this.path(digest);
      if ((await this.size(digest)) === size) {
        // Already stored (same digest, same size): keep the existing file untouched. Its
        // writer may not have synced its name yet: counted (and synced) like our own.
        ++this.renames;
        if (opts.syncName !== false) await this.syncNamesUpTo(this.renames);
        return { digest, size };
      }
      await fs.rename(tmp, dest);
      renamed = true;
      ++this.renames;
      if (opts.syncName !== false) await this.syncNamesUpTo(this.renames);
      return { digest, size };
    } finally {
      if (!renamed) await fs.rm(tmp, { force: true });
    }
  }

  /** Makes the names of all blobs this instance renamed into place so far durable. */
  syncNames(): Promise<void> {
    return this.syncNamesUpTo(this.renames);
  }

  /**
   * Returns once a directory fsync that started after rename number `n` finished, so the
   * blob's name survives a crash. Writers finishing together share one fsync.
   */
  private async syncNamesUpTo(n: number): Promise<void> {
    while (this.synced < n) {
      if (this.syncing) {
        await this.syncing;
        continue;
      }
      const upTo = this.renames;
      this.syncing = syncDir(this.blobsDir).finally(() => {
        this.synced = Math.max(this.synced, upTo);
        this.syncing = undefined;
      });
      await this.syncing;
    }
  }

  writeBytes(data: Uint8Array | string, expected?: ExpectedContent, opts?: WriteOptions): Promise<{ digest: string; size: number }> {
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    return this.writeStream(Readable.from([buf]), expected, opts);
  }

  async delete(digest: string): Promise<boolean> {
    try {
      await fs.unlink(this.path(digest));
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }

  /** Every stored blob's digest (files that are not 64-hex names are ignored). */
  async *list(): AsyncIterable<string> {
    let names: string[];
    try {
      names = await fs.readdir(this.blobsDir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    for (const name of names.sort()) {
      if (/^[a-f0-9]{64}$/.test(name)) yield `sha256:${name}`;
    }
  }

  /** Removes ingest files left by crashed writers (older than `maxAgeMs`). */
  async cleanIngest(maxAgeMs = 60 * 60 * 1000): Promise<number> {
    let removed = 0;
    let names: string[] = [];
    try {
      names = await fs.readdir(this.ingestDir);
    } catch {
      return 0;
    }
    const now = Date.now();
    for (const name of names) {
      const p = path.join(this.ingestDir, name);
      try {
        const st = await fs.stat(p);
        if (now - st.mtimeMs >= maxAgeMs) {
          await fs.rm(p, { force: true, recursive: true });
          removed++;
        }
      } catch {
        // raced with another cleaner or writer: fine
      }
    }
    return removed;
  }
}

/** Chunks as bytes (a Readable in string mode yields strings). */
async function* bytesOf(source: AsyncIterable<Uint8Array | string> | Readable): AsyncGenerator<Uint8Array> {
  for await (const chunk of source as AsyncIterable<Uint8Array | string>) yield typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
}

/** Gathers chunks and writes them with one writev once `min` bytes are pending. */
class WriteBatch {
  private parts: Uint8Array[] = [];
  private pending = 0;

  constructor(private readonly fh: fs.FileHandle, private readonly min: number) {}

  async add(buf: Uint8Array): Promise<void> {
    this.parts.push(buf);
    this.pending += buf.byteLength;
    if (this.pending >= this.min || this.parts.length >= 1024) await this.flush(); // 1024: IOV_MAX
  }

  async flush(): Promise<void> {
    let parts = this.parts;
    this.parts = [];
    this.pending = 0;
    while (parts.length > 0) {
      let { bytesWritten } = await this.fh.writev(parts);
      // A short write: drop what went out and write the rest.
      while (parts.length > 0 && bytesWritten >= parts[0]!.byteLength) bytesWritten -= parts.shift()!.byteLength;
      if (bytesWritten > 0) parts[0] = parts[0]!.subarray(bytesWritten);
    }
  }
}

async function syncDir(dir: string): Promise<void> {
  let fh: fs.FileHandle | undefined;
  try {
    fh = await fs.open(dir, 'r');
    await fh.sync();
  } catch {
    // directory fsync is best effort (not supported everywhere)
  } finally {
    await fh?.close();
  }
}
