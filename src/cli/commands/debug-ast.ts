// `slipway debug ast FILE|-`: prints a Dockerfile's AST in BuildKit's dump format.
import { readFile } from 'node:fs/promises';
import { parseDockerfile, dumpAST } from '../../frontend/dockerfile/parser/index.js';

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function runDebugAst(file: string): Promise<void> {
  const bytes = file === '-' ? await readStdin() : await readFile(file);
  const ast = parseDockerfile(bytes.toString('utf8'), { file: file === '-' ? 'Dockerfile' : file });
  process.stdout.write(dumpAST(ast) + '\n');
}
