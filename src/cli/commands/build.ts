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
    .option('-t, --tag <name>', 'Name and optionally a tag (name:tag) (repeatable)', collectBuildFlag)
    .option('-o, --output <spec>', 'Output destination (type=image|registry|oci|docker|local|tar,...) (repeatable)', collectBuildFlag)
    .option('--label <key=value>', 'Set metadata for the image (repeatable)', collectBuildFlag)
    .option('--no-cache', 'Do not use the cache when building the image')
    .option('--no-cache-filter <stage>', 'Do not cache the given stages (repeatable)', collectBuildFlag)
    .option('--pull', 'Always attempt to pull newer versions of the base images')
    .option('--progress <mode>', 'Progress output: auto, plain, tty, rawjson or quiet', 'auto')
    .option('-q, --quiet', 'Print only the image id on success')
    .option('--max-parallelism <n>', 'Steps run at the same time (default: the CPU count)')
    .option('--runtime <name>', 'OCI runtime for RUN: runc or crun', 'runc')
    .option('--network <mode>', 'Network for RUN steps: host (default) or none')
    .option('--secret <spec>', 'Secret for RUN --mount=type=secret: id=ID,src=FILE or id=ID,env=VAR (repeatable)', collectBuildFlag)
    .option('--ssh <spec>', 'SSH agent socket for RUN --mount=type=ssh: default or ID=SOCKET (repeatable)', collectBuildFlag)
    .option('--explain-cache', 'Say why each step that ran missed the cache')
    .option('--iidfile <file>', 'Write the image ID to the file')
    .option('--print-llb [format]', 'Print the LLB graph without building: json (default) or dot')
    .action(async (context: string | undefined, opts: Record<string, unknown>, cmd: Command) => {
      const { runBuild } = await import('./build-run.js');
      await runBuild(context, opts, cmd);
    });
}
