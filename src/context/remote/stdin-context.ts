// `slipway build -`: standard input is a tar (plain, gzip or zstd) holding the context, or a
// Dockerfile with no context at all.
import { createWriteStream } from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { contextFromFile } from './archive-or-dockerfile.js';

export async function readStdinContext(stdin: Readable, work: string, dir: string): Promise<{ dockerfileText?: string }> {
  const file = path.join(work, 'stdin');
  await pipeline(stdin, createWriteStream(file));
  return contextFromFile(file, dir, 'context from standard input');
}
