// Declares `builder prune` (Docker's build cache command) and `system prune` (images and build
// cache). Each action loads its module only when it runs.
import type { Command } from 'commander';
import { globalsOf } from '../context.js';
import { systemGroup } from './images-register.js';

const collect = (v: string, prev: string[]): string[] => [...prev, v];

export function registerBuilderCommands(program: Command): void {
  const builder = program.command('builder').description('Manage the build cache (prune)');
  builder
    .command('prune')
    .description('Remove build cache')
    .option('-a, --all', 'Remove all unused build cache, not just dangling ones')
    .option('-f, --force', 'Do not prompt for confirmation')
    .option('--filter <filter>', "Provide filter values (e.g. 'until=24h')", collect, [])
    .option('--keep-storage <bytes>', 'Amount of disk space to keep for cache: the least recently used goes first (e.g. 10GB)')
    .option('--max-used-space <bytes>', 'Maximum amount of disk space the cache may keep (newer docker\'s name for --keep-storage)')
    .action(async (opts, cmd: Command) => {
      const { runBuilderPrune } = await import('./builder-prune.js');
      await runBuilderPrune(globalsOf(cmd).root, opts);
    });

  systemGroup(program)
    .command('prune')
    .description('Remove dangling images and build cache (all unused images and all build cache with -a)')
    .option('-a, --all', 'Remove all unused images and all build cache, not just dangling ones')
    .option('-f, --force', 'Do not prompt for confirmation')
    .option('--filter <filter>', 'Provide filter values (label=…, until=…)', collect, [])
    .action(async (opts, cmd: Command) => {
      const { runSystemPrune } = await import('./system-prune.js');
      await runSystemPrune(globalsOf(cmd).root, opts);
    });
}
