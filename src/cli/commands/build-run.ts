// `slipway build`: reads the Dockerfile and .dockerignore, converts to LLB, and (for now)
// prints the graph with --print-llb. Running the graph arrives with the solver.
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { Command } from 'commander';
import { convertDockerfile, type ConvertResult } from '../../frontend/dockerfile/convert/index.js';
import type { Image } from '../../frontend/dockerfile/image-config.js';
import { definitionToDot } from '../../llb/print-dot.js';
import { definitionToJSON } from '../../llb/print-json.js';
import { resolveImageConfig } from '../../registry/resolve-config.js';
import { globalsOf } from '../context.js';
import { UsageError } from '../errors.js';
import { type BuildRequest, parseBuildFlags } from './build-options.js';
import { readDockerignore } from './build-dockerignore.js';
import { formatWarnings } from './build-warnings.js';

export async function runBuild(context: string | undefined, raw: Record<string, unknown>, cmd: Command): Promise<void> {
  const req = parseBuildFlags(context, raw);
  const { root } = globalsOf(cmd);
  const result = await convert(req, root);
  process.stderr.write(formatWarnings(result.warnings));
  if (req.printLLB) {
    process.stdout.write(req.printLLB === 'dot' ? definitionToDot(result.definition) : definitionToJSON(result.definition));
    return;
  }
  throw new UsageError('building images is not available yet: use --print-llb to see the build graph');
}

export async function convert(req: BuildRequest, root: string): Promise<ConvertResult> {
  let text: string;
  try {
    text = req.dockerfile === '-' ? await readStdin() : await readFile(req.dockerfile, 'utf8');
  } catch (err) {
    throw new UsageError(`failed to read dockerfile ${req.dockerfile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return convertDockerfile(text, {
    file: req.dockerfileName,
    target: req.target,
    buildArgs: req.buildArgs,
    platform: req.platform,
    dockerignore: await readDockerignore(req.contextDir, req.dockerfile === '-' ? path.join(req.contextDir, 'Dockerfile') : req.dockerfile),
    resolveImageConfig: async (ref, { platform, resolveMode }) => {
      const res = await resolveImageConfig(ref, { root, platform, pull: resolveMode === 'pull' });
      return { ref: res.ref, digest: res.targetDigest, config: res.config as unknown as Image };
    },
  });
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
