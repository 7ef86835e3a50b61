import type { Command } from 'commander';
import { collectBuildFlag } from './build-options.js';

/** `slipway build [OPTIONS] PATH | URL | -` (docker buildx build). */
export function registerBuild(program: Command): void {
  program
    .command('build')
    .description('Build an image from a Dockerfile')
    .usage('[options] PATH | URL | -')
    .argument('[context]', 'Build context: a directory, a git URL (https://host/repo.git#ref:subdir, git@host:repo.git, git://…), an http(s) tarball URL, or - (a tar or a Dockerfile on standard input)')
    .option('-f, --file <path>', 'Name of the Dockerfile, or - for standard input (default: PATH/Dockerfile)')
    .option('--target <stage>', 'Set the target build stage to build')
    .option('--build-arg <key=value>', 'Set build-time variables; KEY alone takes the value from the environment (repeatable)', collectBuildFlag)
    .option('--platform <platform>', 'Set the target platform (only linux/amd64 is supported)')
    .option('-t, --tag <name>', 'Name and optionally a tag (name:tag) (repeatable)', collectBuildFlag)
    .option('-o, --output <spec>', 'Output destination: type=image|registry|oci|docker|local|tar[,dest=…][,name=…][,push=true]…, a directory, or - (repeatable)', collectBuildFlag)
    .option('--push', 'Push the image to the registry of each -t name (shorthand for --output=type=registry)')
    .option('--load', 'Store the image in the local image store (buildx\'s shorthand for loading it into docker; the default with -t)')
    .option('--provenance <value>', 'Provenance attestation: only false is accepted (Slipway makes no attestations)')
    .option('--sbom <value>', 'SBOM attestation: only false is accepted (Slipway makes no attestations)')
    .option('--attest <spec>', 'Attestation parameters: only type=…,disabled=true is accepted (repeatable)', collectBuildFlag)
    .option('--builder <name>', 'Ignored: Slipway builds in this process (buildx\'s builder instance)')
    .option('--label <key=value>', 'Set metadata for the image (repeatable)', collectBuildFlag)
    .option('--no-cache', 'Do not use the cache when building the image')
    .option('--no-cache-filter <stage>', 'Do not cache the given stages (repeatable, or comma-separated)', collectBuildFlag)
    .option('--pull', 'Always attempt to pull newer versions of the base images')
    .option('--cache-from <spec>', 'External cache sources, e.g. type=registry,ref=HOST/REPO:TAG (repeatable)', collectBuildFlag)
    .option('--cache-to <spec>', 'Cache export destinations, e.g. type=registry,ref=HOST/REPO:TAG,mode=max (repeatable)', collectBuildFlag)
    .option('--network <mode>', 'Network for RUN steps: host (default) or none')
    .option('--add-host <host:ip>', 'Add a custom host-to-IP mapping to the /etc/hosts of RUN steps (repeatable)', collectBuildFlag)
    .option('--ulimit <type=soft[:hard]>', 'Resource limit for RUN steps, e.g. nofile=1024:2048 (repeatable)', collectBuildFlag)
    .option('--shm-size <bytes>', 'Size of /dev/shm for RUN steps, e.g. 128m (default 64m)')
    .option('--allow <entitlement>', 'Allow extra privileged entitlements: network.host (RUN --network=host), security.insecure (RUN --security=insecure) (repeatable)', collectBuildFlag)
    .option('--secret <spec>', 'Secret for RUN --mount=type=secret: id=ID,src=FILE or id=ID,env=VAR (repeatable)', collectBuildFlag)
    .option('--ssh <spec>', 'SSH agent socket for RUN --mount=type=ssh: default or ID=SOCKET (repeatable)', collectBuildFlag)
    .option('--insecure-registry <host>', 'Talk plain HTTP (or TLS without verification) to this registry, for bases, --push and cache (repeatable)', collectBuildFlag)
    .option('--iidfile <file>', 'Write the image ID to the file')
    .option('--metadata-file <file>', 'Write build result metadata (image digest, config digest, names) to the file as JSON')
    .option('--progress <mode>', 'Progress output: auto (tty on a terminal, else plain), tty, plain, rawjson or quiet', 'auto')
    .option('-q, --quiet', 'Print only the image ID (sha256:…) on success; no progress output')
    .option('--check', 'Run the Dockerfile\'s build checks and print them instead of building (exit 1 when any fails; --call=check)')
    .option('--call <method>', 'What to do with the Dockerfile: build (default) or check')
    .option('--explain-cache', 'Say, for every step that ran, why it missed the cache')
    .option('--max-parallelism <n>', 'Steps run at the same time (default: the CPU count)')
    .option('--runtime <name>', 'OCI runtime for RUN: runc or crun', 'runc')
    .option('--print-llb [format]', 'Print the LLB graph without building: json (default) or dot')
    .option('--root <dir>', 'Where the store and cache live (env SLIPWAY_ROOT; default ~/.local/share/slipway)')
    .option('-D, --debug', 'Print stack traces for errors')
    .action(async (context: string | undefined, opts: Record<string, unknown>, cmd: Command) => {
      const { runBuild } = await import('./build-run.js');
      await runBuild(context, opts, cmd);
    });
}
