// An http(s) context: the URL is downloaded (redirects followed) to a file, which is either
// a tarball (unpacked as the context) or a lone Dockerfile.
import { createWriteStream } from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { httpRequest, type HttpResponse } from '../../registry/http.js';
import { contextFromFile } from './archive-or-dockerfile.js';

export async function fetchHttpContext(url: string, work: string, dir: string, signal?: AbortSignal): Promise<{ dockerfileText?: string }> {
  let res: HttpResponse;
  try {
    res = await httpRequest(url, { maxRedirects: 20, ...(signal ? { signal } : {}) });
  } catch (err) {
    throw new Error(`failed to download context ${url}: ${(err as Error).message}`);
  }
  if (res.status < 200 || res.status > 299) {
    res.body.resume();
    throw new Error(`failed to download context ${url}: HTTP ${res.status} ${res.statusText}`.trimEnd());
  }
  const file = path.join(work, 'download');
  await pipeline(res.body, createWriteStream(file));
  return contextFromFile(file, dir, `context ${url}`);
}
