// Content-addressed blob store: `<root>/store/blobs/sha256/<hex>`, an OCI image layout's blob
// directory. Every write hashes while streaming into `<root>/store/ingest/`, fsyncs, checks the
// expected digest/size and only then renames into place, so a half-written or corrupt blob is
// never visible under its digest (DESIGN.md principle 2).
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, createReadStream, fsync, mkdirSync, openSync, renameSync, rmSync, statSync, writeFileSync, writeSync, type ReadStream } from 'node:fs';
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

/** Blobs at most this big are written with synchronous calls (see ContentStore.stage). */
const SMALL_BLOB = 64 * 1024;

/**
 * Blob renames in one blobs directory so far, and how many a finished directory fsync covers.
 * Shared by every ContentStore of this process on that directory: a blob renamed by one
 * instance (a layer compressed during the build) is synced by another's syncNames() (the
 * export's, before its manifest), and writers finishing together share one fsync.
 */
interface NameSync {
  renames: number;
  synced: number;
  syncing: Promise<void> | undefined;
}
const nameSyncs = new Map<string, NameSync>();

function nameSyncOf(dir: string): NameSync {
  let s = nameSyncs.get(dir);
  if (!s) {
    s = { renames: 0, synced: 0, syncing: undefined };
    nameSyncs.set(dir, s);
  }
  return s;
}

/** A small blob written and fsynced under ingest/, not yet visible under its digest. */
export interface StagedBlob {
  digest: string;
  size: number;
  /** Renames it into place (a no-op when the store already had it). Its name is synced by syncNames(). */
  commit(): void;
  /** Removes the temp file (after a failure elsewhere). */
  discard(): void;
}

export class ContentStore {
  readonly storeDir: string;
  readonly blobsDir: string;
  readonly ingestDir: string;
  private prepared = false;
  private readonly names: NameSync;

  constructor(readonly root: string) {
    this.storeDir = path.join(root, 'store');
    this.blobsDir = path.join(this.storeDir, 'blobs', 'sha256');
    this.ingestDir = path.join(this.storeDir, 'ingest');
    this.names = nameSyncOf(path.resolve(this.blobsDir));
  }

  /**
   * Creates the layout directories and `oci-layout` once per instance. Synchronous calls: three
   * thread-pool round trips queue behind whatever else the pool is doing.
   */
  async ensureLayout(): Promise<void> {
    this.ensureLayoutNow();
  }

  private ensureLayoutNow(): void {
    if (this.prepared) return;
    mkdirSync(this.blobsDir, { recursive: true });
    mkdirSync(this.ingestDir, { recursive: true });
    try {
      writeFileSync(path.join(this.storeDir, 'oci-layout'), OCI_LAYOUT, { flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    this.prepared = true;
  }

  path(digest: string): string {
    return path.join(this.blobsDir, parseDigest(digest).hex);
  }

  async has(digest: string): Promise<boolean> {
    return (await this.size(digest)) !== undefined;
  }

  /** A stat call: synchronous, cheaper than a thread-pool round trip. */
  async size(digest: string): Promise<number | undefined> {
    return this.sizeNow(digest);
  }

  private sizeNow(digest: string): number | undefined {
    const st = statSync(this.path(digest), { throwIfNoEntry: false });
    return st?.isFile() ? st.size : undefined;
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
    this.ensureLayoutNow();
    const chunks = bytesOf(source)[Symbol.asyncIterator]();
    // A small blob (a config, the layer of most RUN steps) is gathered in memory and written by
    // stage(): synchronous calls and one fsync, not a thread-pool round trip per call.
    const head: Uint8Array[] = [];
    let size = 0;
    try {
      for (;;) {
        const next = await chunks.next();
        if (next.done) return await this.writeSmall(head.length === 1 ? head[0]! : Buffer.concat(head), expected, opts);
        head.push(next.value);
        size += next.value.byteLength;
        tooBig(expected, size);
        if (size > SMALL_BLOB) break;
      }
    } catch (err) {
      await chunks.return?.(undefined);
      throw err;
    }
    return this.streamToFile(head, { [Symbol.asyncIterator]: () => chunks }, expected, opts);
  }

  /** writeStream's path for a blob bigger than SMALL_BLOB: `head` was read already. */
  private async streamToFile(head: Uint8Array[], rest: AsyncIterable<Uint8Array>, expected: ExpectedContent,
    opts: WriteOptions): Promise<{ digest: string; size: number }> {
    const tmp = path.join(this.ingestDir, `${process.pid}-${randomBytes(8).toString('hex')}`);
    const hash = createHash('sha256');
    let size = 0;
    let renamed = false;
    try {
      const fh = await fs.open(tmp, 'wx', 0o644);
      try {
        // One writev per MiB rather than a write per socket read (64 KiB): fewer thread-pool
        // round trips, and no copy.
        const batch = new WriteBatch(fh, 1 << 20);
        const add = async (buf: Uint8Array): Promise<void> => {
          size += buf.byteLength;
          tooBig(expected, size);
          hash.update(buf);
          await batch.add(buf);
        };
        for (const buf of head) await add(buf);
        for await (const buf of rest) await add(buf);
        await batch.flush();
        await fh.sync();
      } finally {
        await fh.close();
      }
      const digest = `sha256:${hash.digest('hex')}`;
      checkExpected(expected, digest, size);
      // Already stored (same digest, same size): the existing file stays untouched. Its
      // writer may not have synced its name yet: counted (and synced) like our own.
      if (this.sizeNow(digest) !== size) {
        await fs.rename(tmp, this.path(digest));
        renamed = true;
      }
      const n = ++this.names.renames;
      if (opts.syncName !== false) await this.syncNamesUpTo(n);
      return { digest, size };
    } finally {
      if (!renamed) await fs.rm(tmp, { force: true });
    }
  }

  /**
   * Makes the names of all blobs renamed into place so far durable: this process's renames
   * in this blobs directory, whichever instance made them (see NameSync).
   */
  syncNames(): Promise<void> {
    return this.syncNamesUpTo(this.names.renames);
  }

  /**
   * Returns once a directory fsync that started after rename number `n` finished, so the
   * blob's name survives a crash. Writers finishing together share one fsync.
   */
  private async syncNamesUpTo(n: number): Promise<void> {
    const s = this.names;
    while (s.synced < n) {
      if (s.syncing) {
        await s.syncing;
        continue;
      }
      const upTo = s.renames;
      s.syncing = syncDir(this.blobsDir).finally(() => {
        s.synced = Math.max(s.synced, upTo);
        s.syncing = undefined;
      });
      await s.syncing;
    }
  }

  async writeBytes(data: Uint8Array | string, expected?: ExpectedContent, opts: WriteOptions = {}): Promise<{ digest: string; size: number }> {
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    if (buf.byteLength > SMALL_BLOB) return this.writeStream(Readable.from([buf]), expected, opts);
    return this.writeSmall(buf, expected, opts);
  }

  private async writeSmall(data: Uint8Array, expected: ExpectedContent | undefined, opts: WriteOptions): Promise<{ digest: string; size: number }> {
    const staged = await this.stage(data, expected);
    staged.commit();
    if (opts.syncName !== false) await this.syncNames();
    return { digest: staged.digest, size: staged.size };
  }

  /**
   * Writes a small blob under ingest/ and fsyncs it (the only thread-pool round trip; the rest
   * are synchronous calls), checked against `expected`. Several staged together fsync at the
   * same time and are committed in the caller's order: a config before the manifest naming it.
   */
  async stage(data: Uint8Array, expected: ExpectedContent = {}): Promise<StagedBlob> {
    if (expected.digest !== undefined) parseDigest(expected.digest);
    this.ensureLayoutNow();
    const size = data.byteLength;
    tooBig(expected, size);
    const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
    checkExpected(expected, digest, size);
    const counted = (): void => {
      ++this.names.renames;
    };
    // Already stored (same digest, same size): the existing file stays untouched; its writer
    // may not have synced its name yet, so it is counted like our own (as writeStream does).
    if (this.sizeNow(digest) === size) return { digest, size, commit: counted, discard: () => undefined };
    const tmp = path.join(this.ingestDir, `${process.pid}-${randomBytes(8).toString('hex')}`);
    const fd = openSync(tmp, 'wx', 0o644);
    try {
      for (let off = 0; off < size;) off += writeSync(fd, data, off);
      await new Promise<void>((resolve, reject) => fsync(fd, (err) => (err ? reject(err) : resolve())));
    } catch (err) {
      rmSync(tmp, { force: true });
      throw err;
    } finally {
      closeSync(fd);
    }
    let done = false;
    return {
      digest,
      size,
      commit: () => {
        if (done) return;
        done = true;
        try {
          // (a blob another writer stored meanwhile is replaced by the same bytes)
          renameSync(tmp, this.path(digest));
        } catch (err) {
          rmSync(tmp, { force: true });
          throw err;
        }
        counted();
      },
      discard: () => {
        if (done) return;
        done = true;
        rmSync(tmp, { force: true });
      },
    };
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

/** Rejects content that already has more bytes than expected. */
function tooBig(expected: ExpectedContent, size: number): void {
  if (expected.size !== undefined && size > expected.size) {
    throw new DigestMismatchError(
      `size mismatch: expected ${expected.size} bytes${expected.digest ? ` for ${expected.digest}` : ''}, got more`,
      expected,
      { size },
    );
  }
}

/** Rejects complete content that is not what the caller said it should be. */
function checkExpected(expected: ExpectedContent, digest: string, size: number): void {
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

/** Open and close are synchronous calls: only the fsync waits on the thread pool. */
async function syncDir(dir: string): Promise<void> {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    const opened = fd;
    await new Promise<void>((resolve, reject) => fsync(opened, (err) => (err ? reject(err) : resolve())));
  } catch {
    // directory fsync is best effort (not supported everywhere)
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
