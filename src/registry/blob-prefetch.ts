// Layer blobs of an image whose metadata the registry answered (the image is not in the store,
// so a build pulls it next), requested at once and buffered in memory while the build converts
// the Dockerfile and plans its steps: the pull that follows starts with the bytes in hand
// instead of with a request (the registry's latency and the download overlap that work).
// Bounded (PREFETCH_BUDGET bytes of layers per process). A prefetch never keeps the process
// alive (its socket is unreferenced until a pull takes it), and one nobody takes is dropped
// with the process. What a pull takes is verified as any download (digest and size).
import type { Socket } from 'node:net';
import type { Descriptor } from '../content/descriptor.js';
import type { RegistryClient } from './client.js';
import type { HttpResponse } from './http.js';

const PREFETCH_BUDGET = 16 << 20;
let budget = PREFETCH_BUDGET;

interface Prefetch {
  size: number;
  chunks: Buffer[];
  received: number;
  /** The response once it came; its body flows into `chunks`. */
  res?: HttpResponse;
  ended: boolean;
  failure?: { err: unknown };
  socket?: Socket;
  wanted: boolean;
  wake?: () => void;
}

const started = new Map<string, Prefetch>();
const key = (host: string, repo: string, digest: string): string => `${host}/${repo}@${digest}`;

/** Starts the download of every blob not `present`, while the budget lasts. */
export function prefetchBlobs(client: RegistryClient, repo: string, blobs: readonly Descriptor[],
  present: (d: Descriptor) => boolean): void {
  for (const desc of blobs) {
    const k = key(client.host, repo, desc.digest);
    if (started.has(k) || desc.size > budget || present(desc)) continue;
    budget -= desc.size;
    const p: Prefetch = { size: desc.size, chunks: [], received: 0, ended: false, wanted: false };
    started.set(k, p);
    const wake = (): void => wakeReader(p);
    const fail = (err: unknown): void => {
      if (p.ended) return; // all there is came: nothing after it matters
      stop(p, err);
    };
    const onSocket = (socket: Socket): void => {
      p.socket = socket;
      if (!p.wanted) socket.unref();
    };
    client.getBlob(repo, desc.digest, `${client.host}/${repo}@${desc.digest}`, { retry: false, onSocket }).then((res) => {
      p.res = res;
      if (p.failure) {
        res.body.destroy(); // cancelled while it waited for the answer
        return;
      }
      res.body.on('data', (chunk: Buffer) => {
        if (p.failure || p.ended) return;
        p.received += chunk.length;
        p.chunks.push(chunk);
        // More than the manifest says: the download stops one chunk past it, and the pull's
        // verification rejects the blob as it would its own download.
        if (p.received > p.size) {
          p.ended = true;
          res.body.destroy();
        }
        wake();
      });
      res.body.on('end', () => { p.ended = true; wake(); });
      res.body.on('error', fail);
      res.body.on('aborted', () => fail(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })));
    }, fail);
  }
}

function wakeReader(p: Prefetch): void {
  const w = p.wake;
  p.wake = undefined;
  w?.();
}

/** Ends a prefetch with `err` (the first reason kept): its bytes dropped, its reader woken. */
function stop(p: Prefetch, err: unknown): void {
  p.failure ??= { err };
  p.chunks = [];
  p.res?.body.destroy();
  wakeReader(p);
}

export interface PrefetchedBlob {
  status: number;
  body: AsyncIterable<Buffer>;
  destroy(): void;
}

/**
 * The prefetched download of a blob, once (the caller's next attempt, if any, asks the
 * registry itself); undefined when none was started or it already failed.
 */
export function takePrefetched(host: string, repo: string, digest: string): PrefetchedBlob | undefined {
  const k = key(host, repo, digest);
  const p = started.get(k);
  if (!p || p.failure) return undefined;
  started.delete(k);
  p.wanted = true;
  // Referenced while its body still comes (a finished one went back to the agent's pool,
  // which keeps idle sockets unreferenced).
  if (!p.ended) p.socket?.ref();
  const next = async (): Promise<void> => {
    if (p.failure || p.chunks.length > 0 || p.ended) return;
    // The pull waits on this: the process stays alive even while the request has no socket to
    // reference (queued in the agent behind other, unreferenced, prefetches of the host).
    const hold = setInterval(() => undefined, 1 << 30);
    try {
      while (!p.failure && p.chunks.length === 0 && !p.ended) await new Promise<void>((resolve) => { p.wake = resolve; });
    } finally {
      clearInterval(hold);
    }
  };
  return {
    get status() {
      return p.res?.status ?? 0;
    },
    body: (async function* () {
      for (;;) {
        await next();
        if (p.failure) throw p.failure.err;
        const chunk = p.chunks.shift();
        if (chunk) {
          yield chunk;
          continue;
        }
        return;
      }
    })(),
    destroy: () => stop(p, new Error('cancelled')),
  };
}
