import type { Command } from 'commander';
import { globalsOf } from '../context.js';

/** `slipway version [--format F]` (docker version): Slipway's and its runtimes' versions. */
export function registerVersion(program: Command): void {
  program
    .command('version')
    .description('Show the version of Slipway and of the programs it runs (OCI runtimes, syscall helper)')
    .option('-f, --format <string>', "Format output using a Go template subset, or 'json'")
    .action(async (opts: { format?: string }, cmd: Command) => {
      const { runVersion } = await import('./version-run.js');
      await runVersion(globalsOf(cmd).root, opts);
    });
}
