import type { Command } from 'commander';
import { addInsecureRegistries } from '../../registry/hosts.js';
import { makeProgress } from '../../registry/progress.js';
import { pushImage } from '../../registry/push.js';
import { globalsOf } from '../context.js';
import { UsageError } from '../errors.js';
import type { PushFlags } from './push.js';

export async function runPush(name: string, opts: PushFlags, cmd: Command): Promise<void> {
  const { root } = globalsOf(cmd);
  addInsecureRegistries(opts.insecureRegistry);
  for (const [flag, v] of [['--chunk-threshold', opts.chunkThreshold], ['--chunk-size', opts.chunkSize]] as const) {
    if (v !== undefined && (!Number.isSafeInteger(v) || v <= 0)) throw new UsageError(`${flag} must be a positive number of bytes`);
  }
  const result = await pushImage(name, {
    root,
    progress: makeProgress(process.stdout, { quiet: opts.quiet ?? false }),
    ...(opts.chunkThreshold !== undefined ? { chunkThreshold: opts.chunkThreshold } : {}),
    ...(opts.chunkSize !== undefined ? { chunkSize: opts.chunkSize } : {}),
  });
  if (opts.quiet) process.stdout.write(`${result.reference.familiarName()}:${result.reference.tag ?? 'latest'}\n`);
}
