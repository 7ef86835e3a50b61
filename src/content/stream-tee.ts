// Hands one byte stream to two readers: the content store (which hashes, verifies and stores
// it: `primary`) and a slower reader such as a layer unpack (`secondary`), so a pulled layer
// is unpacked while it downloads instead of after. The secondary reader sees the end of the
// stream only after `finish()` (called once the store verified and published the blob), and
// the store's error if it failed: nothing downstream can take a corrupt blob for complete.

export interface StreamTee {
  /** The stream for the writer; it runs at the source's pace. */
  primary: AsyncIterable<Uint8Array>;
  /** The same chunks, buffered up to `highWater` bytes ahead of their reader. */
  secondary: AsyncIterable<Uint8Array>;
  /** Ends `secondary` (after the buffered chunks) or, given an error, fails it at once. */
  finish(err?: unknown): void;
  /** The secondary reader is gone: stop buffering for it (the primary runs on alone). */
  cancel(): void;
}

export function teeStream(source: AsyncIterable<Uint8Array>, highWater: number): StreamTee {
  let queue: Uint8Array[] = [];
  let queued = 0;
  let state: 'open' | 'ended' | 'failed' | 'cancelled' = 'open';
  let failure: unknown;
  let wakeReader: (() => void) | undefined;
  let wakeWriter: (() => void) | undefined;
  const wake = (which: 'reader' | 'writer'): void => {
    const w = which === 'reader' ? wakeReader : wakeWriter;
    if (which === 'reader') wakeReader = undefined;
    else wakeWriter = undefined;
    w?.();
  };
  const cancel = (): void => {
    if (state === 'open' || state === 'ended') state = 'cancelled';
    queue = [];
    queued = 0;
    wake('writer');
  };

  async function* primary(): AsyncGenerator<Uint8Array> {
    for await (const chunk of source) {
      if (state === 'open') {
        queue.push(chunk);
        queued += chunk.byteLength;
        wake('reader');
        while (queued > highWater && state === 'open') await new Promise<void>((r) => { wakeWriter = r; });
      }
      yield chunk;
    }
  }

  async function* secondary(): AsyncGenerator<Uint8Array> {
    try {
      for (;;) {
        if (state === 'failed') throw failure;
        const chunk = queue.shift();
        if (chunk) {
          queued -= chunk.byteLength;
          wake('writer');
          yield chunk;
          continue;
        }
        if (state === 'ended' || state === 'cancelled') return;
        await new Promise<void>((r) => { wakeReader = r; });
      }
    } finally {
      cancel();
    }
  }

  return {
    primary: primary(),
    secondary: secondary(),
    finish(err?: unknown) {
      if (state !== 'open') return;
      if (err === undefined) {
        state = 'ended';
      } else {
        state = 'failed';
        failure = err;
        queue = [];
        queued = 0;
      }
      wake('reader');
      wake('writer');
    },
    cancel,
  };
}
