// ARG scoping as BuildKit: global ARGs (before the first FROM) feed FROM lines and the
// defaults of stage ARGs; `--build-arg` overrides declared ARGs; proxy args work without
// a declaration but only through the exec's proxy env (kept out of cache keys).
import type { ProxyEnv } from '../../../llb/types.js';
import type { ArgCommand } from '../instructions/types.js';
import type { ShellLex } from '../shell/index.js';
import { PLATFORM_ARG_NAMES } from './platform.js';

/** Evaluates the global ARGs in order, each default expanded with the ones before it. */
export function buildMetaArgs(
  globals: Map<string, string>,
  shlex: ShellLex,
  metaArgs: readonly ArgCommand[],
  buildArgs: ReadonlyMap<string, string>,
  onError: (cmd: ArgCommand, err: unknown) => never,
): { globals: Map<string, string>; declared: Set<string> } {
  const out = new Map(globals);
  const declared = new Set<string>();
  for (const cmd of metaArgs) {
    for (const arg of cmd.args) {
      declared.add(arg.key);
      let value = buildArgs.get(arg.key);
      if (value === undefined && arg.value !== undefined) {
        try {
          value = shlex.processWordWithMatches(arg.value, out).result;
        } catch (err) {
          onError(cmd, err);
        }
      }
      if (value !== undefined) out.set(arg.key, value);
    }
  }
  return { globals: out, declared };
}

const PROXY_KEYS: Record<string, keyof ProxyEnv> = {
  http_proxy: 'httpProxy',
  https_proxy: 'httpsProxy',
  ftp_proxy: 'ftpProxy',
  no_proxy: 'noProxy',
  all_proxy: 'allProxy',
};

/** The predefined proxy args given as build args (any letter case), or undefined. */
export function proxyEnvFromBuildArgs(buildArgs: ReadonlyMap<string, string>): Partial<ProxyEnv> | undefined {
  let pe: Partial<ProxyEnv> | undefined;
  for (const k of [...buildArgs.keys()].sort()) {
    const field = PROXY_KEYS[k.toLowerCase()];
    if (field) (pe ??= {})[field] = buildArgs.get(k)!;
  }
  return pe;
}

function isBuiltinArg(name: string): boolean {
  return (
    Object.hasOwn(PROXY_KEYS, name.toLowerCase()) ||
    PLATFORM_ARG_NAMES.has(name) ||
    name === 'SOURCE_DATE_EPOCH' ||
    name.startsWith('BUILDKIT_')
  );
}

/** Build args that no ARG consumed (Docker's "[Warning] One or more build-args … were not consumed"). */
export function unusedBuildArgs(buildArgs: ReadonlyMap<string, string>, consumed: ReadonlySet<string>): string[] {
  return [...buildArgs.keys()].filter((k) => !consumed.has(k) && !isBuiltinArg(k)).sort();
}
