// An http(s) context: the URL is downloaded (redirects followed) to a file, which is either
// a tarball (unpacked as the context) or a lone Dockerfile.
import { createWriteStream } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { contextFromFile } from './archive-or-dockerfile.js';

export async function fetchHttpContext(url: string, work: string, dir: string, signal?: AbortSignal): Promise<{ dockerfileText?: string }> {
  let res: Response;
  try {
    res = await fetch(url, { redirect: 'follow', ...(signal ? { signal } : {}) });
  } catch (err) {
    const cause = (err as { cause?: { message?: string } }).cause?.message;
    throw new Error(`failed to download context ${url}: ${cause ?? (err as Error).message}`);
  }
  if (!res.ok || !res.body) throw new Error(`failed to download context ${url}: HTTP ${res.status} ${res.statusText}`.trimEnd());
  const file = path.join(work, 'download');
  await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), createWriteStream(file));
  return contextFromFile(file, dir, `context ${url}`);
}
