import type { Command } from 'commander';
import { collectHost } from '../../registry/hosts.js';

/** `slipway push NAME[:TAG]` (docker push). */
export function registerPush(program: Command): void {
  program
    .command('push')
    .description('Upload an image to a registry')
    .argument('<name>', 'NAME[:TAG]')
    .option('-q, --quiet', 'Suppress verbose output')
    .option('--insecure-registry <host>', 'Use plain HTTP for this registry (repeatable)', collectHost, [])
    .option('--chunk-threshold <bytes>', 'Upload blobs larger than this in chunks (PATCH)', (v) => Number.parseInt(v, 10))
    .option('--chunk-size <bytes>', 'Chunk size for chunked uploads', (v) => Number.parseInt(v, 10))
    .action(async (name: string, opts: PushFlags, cmd: Command) => {
      const { runPush } = await import('./push-run.js');
      await runPush(name, opts, cmd);
    });
}

export interface PushFlags {
  quiet?: boolean;
  insecureRegistry: string[];
  chunkThreshold?: number;
  chunkSize?: number;
}
