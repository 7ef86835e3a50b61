import type { Command } from 'commander';
import { collectBuildFlag } from './build-options.js';

/** `slipway build [OPTIONS] CONTEXT` (docker buildx build). */
export function registerBuild(program: Command): void {
  program
    .command('build')
    .description('Build an image from a Dockerfile')
    .argument('[context]', 'Build context directory')
    .option('-f, --file <path>', 'Name of the Dockerfile, or - for standard input (default: CONTEXT/Dockerfile)')
    .option('--target <stage>', 'Set the target build stage to build')
    .option('--build-arg <key=value>', 'Set build-time variables; KEY alone takes the value from the environment (repeatable)', collectBuildFlag)
    .option('--platform <platform>', 'Set the target platform (only linux/amd64 is supported)')
    .option('--print-llb [format]', 'Print the LLB graph without building: json (default) or dot')
    .action(async (context: string | undefined, opts: Record<string, unknown>, cmd: Command) => {
      const { runBuild } = await import('./build-run.js');
      await runBuild(context, opts, cmd);
    });
}
