// Streaming tar reader: yields one entry at a time; file bodies are streamed from the
// source, never buffered whole (only PAX / GNU long-name records are held in memory).
import { decodeName } from './byte-names.js';
import {
  BLOCK, TarFormatError, decodePax, decodeRawHeader, finishHeader, isZeroBlock, padding,
  type TarHeader,
} from './tar-header.js';

/** Pull-based reader over an async byte source. */
class ByteSource {
  private readonly iterator: AsyncIterator<Uint8Array>;
  private pending: Buffer = Buffer.alloc(0);
  private done = false;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  /** The next source chunk, or undefined at its end. */
  private async next(): Promise<Buffer | undefined> {
    if (this.done) return undefined;
    const next = await this.iterator.next();
    if (next.done) {
      this.done = true;
      return undefined;
    }
    return Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
  }

  /** Replaces the (consumed) pending bytes with the next chunk. */
  private async fill(): Promise<boolean> {
    const chunk = await this.next();
    if (!chunk) return false;
    this.pending = chunk;
    return true;
  }

  /** Exactly n bytes, or undefined at a clean end of stream before any byte. */
  async read(n: number): Promise<Buffer | undefined> {
    if (this.pending.length === 0 && !(await this.fill())) return undefined;
    if (this.pending.length < n) {
      // Copies only the n bytes asked for: a header that straddles two chunks must not
      // copy the whole next chunk (up to 256 KiB) behind it.
      const parts = [this.pending];
      let have = this.pending.length;
      let chunk: Buffer | undefined;
      while (have < n && (chunk = await this.next())) {
        parts.push(chunk);
        have += chunk.length;
      }
      if (have < n) throw new TarFormatError('unexpected end of tar stream');
      const last = parts.pop()!;
      const fromLast = n - (have - last.length);
      const out = Buffer.concat([...parts, last.subarray(0, fromLast)], n);
      this.pending = last.subarray(fromLast);
      return out;
    }
    const out = this.pending.subarray(0, n);
    this.pending = this.pending.subarray(n);
    return out;
  }

  /** Streams n bytes in chunks as they arrive. */
  async *chunks(n: number): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (this.pending.length === 0 && !(await this.fill())) {
        throw new TarFormatError('unexpected end of tar stream inside an entry');
      }
      const take = Math.min(left, this.pending.length);
      const out = this.pending.subarray(0, take);
      this.pending = this.pending.subarray(take);
      left -= take;
      yield out;
    }
  }

  /** Discards n bytes (no generator: most entries skip only padding, or nothing). */
  async skip(n: number): Promise<void> {
    let left = n;
    while (left > 0) {
      if (this.pending.length === 0 && !(await this.fill())) {
        throw new TarFormatError('unexpected end of tar stream inside an entry');
      }
      const take = Math.min(left, this.pending.length);
      this.pending = this.pending.subarray(take);
      left -= take;
    }
  }

  /** Reads and discards everything left (padding after the end-of-archive marker). */
  async drain(): Promise<void> {
    this.pending = Buffer.alloc(0);
    while (await this.fill()) this.pending = Buffer.alloc(0);
  }

  async close(): Promise<void> {
    await this.iterator.return?.();
  }
}

export interface TarEntry {
  header: TarHeader;
  /** The entry's data; consume it before asking for the next entry, or it is skipped. */
  body: AsyncIterable<Buffer>;
}

const MAX_META_RECORD = 1 << 20;

/** The body of an empty entry (most are: directories, links): no generator per entry. */
const NO_BODY: AsyncIterable<Buffer> = { [Symbol.asyncIterator]: () => ({ next: async () => ({ done: true, value: undefined }) }) };

export async function* readTar(source: AsyncIterable<Uint8Array>): AsyncGenerator<TarEntry> {
  const src = new ByteSource(source);
  try {
    let pax = new Map<string, Buffer>();
    let longName: string | undefined;
    let longLink: string | undefined;
    for (;;) {
      const block = await src.read(BLOCK);
      if (!block) return;
      if (isZeroBlock(block)) {
        // End of archive. Consume the trailer too, so a caller hashing the same stream sees
        // every byte and a decompressor child is not cut off mid-write.
        await src.drain();
        return;
      }
      const raw = decodeRawHeader(block);
      const metaSize = raw.size + padding(raw.size);
      if (raw.typeflag === 'x' || raw.typeflag === 'g' || raw.typeflag === 'L' || raw.typeflag === 'K') {
        if (raw.size > MAX_META_RECORD) throw new TarFormatError(`tar metadata record too large (${raw.size} bytes)`);
        const data = (await src.read(metaSize)) ?? Buffer.alloc(0);
        const content = data.subarray(0, raw.size);
        if (raw.typeflag === 'x') pax = new Map([...pax, ...decodePax(content)]);
        else if (raw.typeflag === 'L') longName = decodeName(content).replace(/\0+$/, '');
        else if (raw.typeflag === 'K') longLink = decodeName(content).replace(/\0+$/, '');
        // 'g' (global) records are ignored, as containerd does.
        continue;
      }
      const header = finishHeader(raw, pax, longName, longLink);
      pax = new Map();
      longName = undefined;
      longLink = undefined;
      const bodySize = header.type === 'file' ? header.size : raw.size;
      let remaining = bodySize;
      const body = bodySize === 0 ? NO_BODY : (async function* () {
        for await (const chunk of src.chunks(remaining)) {
          remaining -= chunk.length;
          yield chunk;
        }
      })();
      yield { header, body };
      // Skip whatever the consumer left unread, and the padding.
      await src.skip(remaining + padding(bodySize));
    }
  } finally {
    await src.close();
  }
}
