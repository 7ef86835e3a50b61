import type { Command } from 'commander';

/** `slipway debug …`: developer views of Slipway's internals. */
export function registerDebug(program: Command): void {
  const debug = program.command('debug').description('Inspect Slipway internals (AST, LLB, store)');
  debug
    .command('ast')
    .description("Print a Dockerfile's AST in BuildKit's dump format")
    .argument('<file>', 'Dockerfile path, or - for standard input')
    .action(async (file: string) => {
      const { runDebugAst } = await import('./debug-ast.js');
      await runDebugAst(file);
    });
  debug
    .command('fsck')
    .description('Check the store, snapshots and build cache for corruption (exit 1 on errors)')
    .option('--json', 'Print the report as JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const [{ runDebugFsck }, { globalsOf }] = await Promise.all([import('./debug-fsck.js'), import('../context.js')]);
      await runDebugFsck(globalsOf(cmd).root, opts);
    });
}
