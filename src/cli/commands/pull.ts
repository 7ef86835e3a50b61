import type { Command } from 'commander';
import { collectHost } from '../../registry/hosts.js';

/** `slipway pull NAME[:TAG|@DIGEST]` (docker pull). */
export function registerPull(program: Command): void {
  program
    .command('pull')
    .description('Download an image from a registry')
    .argument('<name>', 'NAME[:TAG|@DIGEST]')
    .option('-q, --quiet', 'Suppress verbose output')
    .option('--platform <platform>', 'Platform to pull from a multi-platform image', 'linux/amd64')
    .option('--insecure-registry <host>', 'Use plain HTTP for this registry (repeatable)', collectHost, [])
    .action(async (name: string, opts: { quiet?: boolean; platform: string; insecureRegistry: string[] }, cmd: Command) => {
      const { runPull } = await import('./pull-run.js');
      await runPull(name, opts, cmd);
    });
}
