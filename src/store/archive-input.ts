// Input streams for `load` and `import`: a file, `-`/STDIN, or an http(s) URL, transparently
// gunzipped when the data starts with gzip's magic bytes.
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { httpRequest, type HttpResponse } from '../registry/http.js';
import { ImageCommandError } from './errors.js';

export async function openSource(source: string | undefined): Promise<Readable> {
  if (source === undefined || source === '-') return process.stdin;
  if (/^https?:\/\//.test(source)) {
    let res: HttpResponse;
    try {
      res = await httpRequest(source, { maxRedirects: 20 });
    } catch (err) {
      throw new ImageCommandError(`Get "${source}": ${(err as Error).message}`);
    }
    if (res.status < 200 || res.status > 299) {
      res.body.resume();
      throw new ImageCommandError(`Get "${source}": unexpected status ${res.status} ${res.statusText}`);
    }
    return res.body;
  }
  const stream = createReadStream(source);
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (err) => reject(new ImageCommandError(`open ${source}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : err.message}`)));
  });
  return stream;
}

/** Looks at the first bytes: gzip is inflated, plain tar passes, other compressions are refused. */
export async function decompressed(stream: Readable): Promise<Readable> {
  const it = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const chunks: Buffer[] = [];
  let have = 0;
  while (have < 6) {
    const r = await it.next();
    if (r.done) break;
    const buf = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value);
    chunks.push(buf);
    have += buf.length;
  }
  const head = Buffer.concat(chunks);
  async function* all(): AsyncGenerator<Buffer> {
    yield* chunks;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value;
    }
  }
  const rest = Readable.from(all(), { objectMode: false });
  if (head[0] === 0x1f && head[1] === 0x8b) {
    const gunzip = createGunzip();
    rest.on('error', (err) => gunzip.destroy(err));
    return rest.pipe(gunzip);
  }
  if (head.subarray(0, 3).toString('latin1') === 'BZh') throw new ImageCommandError('bzip2-compressed archives are not supported; decompress it first');
  if (head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) throw new ImageCommandError('xz-compressed archives are not supported; decompress it first');
  if (head.subarray(0, 4).equals(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))) throw new ImageCommandError('zstd-compressed archives are not supported by this Node.js; decompress it first');
  return rest;
}
