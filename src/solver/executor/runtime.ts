// Command lines for the OCI runtimes. runc runs as is. crun 1.8 refuses hybrid cgroup v1/v2
// hosts ("cgroups in hybrid mode not supported"), so there it runs in a private mount
// namespace where /sys/fs/cgroup is the v2 hierarchy, with its cgroup manager disabled
// (enabled, it would load an eBPF device filter, which needs CAP_SYS_RESOURCE).
import { existsSync, statfsSync } from 'node:fs';

export type RuntimeName = 'runc' | 'crun';

export interface RuntimeCommand { cmd: string; args: string[] }

const CGROUP2_SUPER_MAGIC = 0x63677270;

let hybrid: boolean | undefined;

/** True when cgroup v1 controllers are mounted with a separate v2 tree at /sys/fs/cgroup/unified. */
export function isHybridCgroupHost(): boolean {
  if (hybrid === undefined) {
    let unified = false;
    try {
      unified = statfsSync('/sys/fs/cgroup').type === CGROUP2_SUPER_MAGIC;
    } catch {
      unified = false;
    }
    hybrid = !unified && existsSync('/sys/fs/cgroup/unified');
  }
  return hybrid;
}

/** `runtime [global log options] ...sub`, wrapped for crun on hybrid hosts. */
export function runtimeCommand(runtime: RuntimeName, logFile: string, sub: string[]): RuntimeCommand {
  if (runtime === 'runc') return { cmd: 'runc', args: ['--log', logFile, '--log-format', 'json', ...sub] };
  const crunArgs = [`--log=file:${logFile}`, '--log-format=json', ...sub];
  if (!isHybridCgroupHost()) return { cmd: 'crun', args: crunArgs };
  return {
    cmd: 'unshare',
    args: ['-m', '--propagation', 'private', 'sh', '-c',
      'mount --bind /sys/fs/cgroup/unified /sys/fs/cgroup && exec crun --cgroup-manager=disabled "$@"',
      'crun-hybrid', ...crunArgs],
  };
}
