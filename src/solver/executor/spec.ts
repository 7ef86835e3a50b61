// The OCI runtime config for a build container, following BuildKit's GenerateSpec on top of
// containerd's defaults: the same namespaces, mounts, default capabilities, masked and
// read-only paths, hostname "buildkitsandbox", no rlimits unless asked (inherit, like
// BuildKit) and no cgroup resource settings (they need CAP_SYS_RESOURCE here), except the
// device rules of RUN --security=insecure.
import type { SecurityMode } from '../../llb/types.js';
import type { Rlimit } from './rlimits.js';

export interface SpecMount {
  destination: string;
  type: string;
  source: string;
  options: string[];
}

export interface OciSpec {
  ociVersion: string;
  process: {
    terminal: boolean;
    user: { uid: number; gid: number; additionalGids?: number[] };
    args: string[];
    env: string[];
    cwd: string;
    capabilities: Record<'bounding' | 'effective' | 'permitted', string[]> & Partial<Record<'ambient' | 'inheritable', string[]>>;
    rlimits?: Rlimit[];
    noNewPrivileges: boolean;
  };
  root: { path: string; readonly: boolean };
  hostname: string;
  mounts: SpecMount[];
  linux: {
    namespaces: Array<{ type: string }>;
    maskedPaths: string[];
    readonlyPaths: string[];
    devices?: LinuxDevice[];
    resources?: { devices: Array<{ allow: boolean; type: string; access: string }> };
  };
}

export interface LinuxDevice { path: string; type: 'c' | 'b'; major: number; minor: number }

/** containerd's default capability set, which BuildKit uses for RUN. */
export const DEFAULT_CAPABILITIES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW',
  'CAP_SETGID', 'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
];

/** What BuildKit's security.WithInsecureSpec adds to every set (RUN --security=insecure). */
export const INSECURE_CAPABILITIES = [
  'CAP_FSETID', 'CAP_KILL', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_NET_RAW',
  'CAP_SETGID', 'CAP_SETUID', 'CAP_SETPCAP', 'CAP_SETFCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT',
  'CAP_AUDIT_WRITE', 'CAP_MAC_ADMIN', 'CAP_MAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_SYS_PTRACE',
  'CAP_SYS_MODULE', 'CAP_SYSLOG', 'CAP_SYS_RAWIO', 'CAP_SYS_ADMIN', 'CAP_LINUX_IMMUTABLE', 'CAP_SYS_BOOT',
  'CAP_SYS_NICE', 'CAP_SYS_PACCT', 'CAP_SYS_TTY_CONFIG', 'CAP_SYS_TIME', 'CAP_WAKE_ALARM', 'CAP_AUDIT_READ',
  'CAP_AUDIT_CONTROL', 'CAP_SYS_RESOURCE', 'CAP_BLOCK_SUSPEND', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_LEASE',
  'CAP_NET_ADMIN', 'CAP_NET_BROADCAST',
];

/**
 * The devices WithInsecureSpec gives the container outside a user namespace: kmsg, cuse,
 * fuse, kvm, net/tun, loop-control, and loop0 up to the first free loop device + 7.
 */
export function insecureDevices(firstFreeLoop: number): LinuxDevice[] {
  const out: LinuxDevice[] = [
    { path: '/dev/kmsg', type: 'c', major: 1, minor: 11 },
    { path: '/dev/cuse', type: 'c', major: 10, minor: 203 },
    { path: '/dev/fuse', type: 'c', major: 10, minor: 229 },
    { path: '/dev/kvm', type: 'c', major: 10, minor: 232 },
    { path: '/dev/net/tun', type: 'c', major: 10, minor: 200 },
    { path: '/dev/loop-control', type: 'c', major: 10, minor: 237 },
  ];
  for (let i = 0; i <= firstFreeLoop + 7; i++) out.push({ path: `/dev/loop${i}`, type: 'b', major: 7, minor: i });
  return out;
}

const MASKED_PATHS = [
  '/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
  '/proc/timer_stats', '/proc/sched_debug', '/sys/firmware', '/proc/scsi',
];
const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

/** BuildKit's GetMounts defaults. */
export function defaultMounts(): SpecMount[] {
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
  ];
}

export interface SpecInput {
  rootfs: string;
  args: string[];
  env: string[];
  cwd: string;
  uid: number;
  gid: number;
  additionalGids: number[];
  hostname: string;
  network: 'host' | 'none';
  hostsPath: string;
  resolvConfPath: string;
  /** User mounts, appended after the defaults (later mounts shadow earlier ones). */
  mounts: SpecMount[];
  rlimits?: Rlimit[];
  /** RUN --security: 'insecure' as BuildKit's generateSecurityOpts (default 'sandbox'). */
  security?: SecurityMode;
  /** A private cgroup namespace: BuildKit adds one where cgroup v2 namespaces work (cgroupV2NamespaceSupported). */
  cgroupNamespace?: boolean;
  /** For 'insecure': what the host allows (insecure-host.ts). */
  insecureHost?: InsecureHost;
}

export interface InsecureHost {
  /** The devices to add (insecureDevices()); none inside a user namespace, as in BuildKit. */
  devices: LinuxDevice[];
  /**
   * This process's capability bounding set (CapBnd): a capability outside it cannot be
   * granted, and asking for it fails the container ("unable to apply caps"), so it is left out.
   */
  capabilityBound?: bigint;
}

/** Capability numbers (linux/capability.h). */
const CAP_NUMBERS: Record<string, number> = Object.fromEntries([
  'CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'SETPCAP',
  'LINUX_IMMUTABLE', 'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_ADMIN', 'NET_RAW', 'IPC_LOCK', 'IPC_OWNER',
  'SYS_MODULE', 'SYS_RAWIO', 'SYS_CHROOT', 'SYS_PTRACE', 'SYS_PACCT', 'SYS_ADMIN', 'SYS_BOOT', 'SYS_NICE',
  'SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'MKNOD', 'LEASE', 'AUDIT_WRITE', 'AUDIT_CONTROL', 'SETFCAP',
  'MAC_OVERRIDE', 'MAC_ADMIN', 'SYSLOG', 'WAKE_ALARM', 'BLOCK_SUSPEND', 'AUDIT_READ',
].map((n, i) => [`CAP_${n}`, i]));

function withinBound(caps: readonly string[], bound: bigint | undefined): string[] {
  if (bound === undefined) return [...caps];
  return caps.filter((c) => {
    const n = CAP_NUMBERS[c];
    return n === undefined || ((bound >> BigInt(n)) & 1n) === 1n;
  });
}

function uniq(list: readonly string[]): string[] {
  return [...new Set(list)];
}

export function buildSpec(input: SpecInput): OciSpec {
  const roBind = (source: string, destination: string): SpecMount =>
    ({ destination, type: 'bind', source, options: ['nosuid', 'noexec', 'nodev', 'rbind', 'ro'] });
  const namespaces = [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }];
  if (input.network === 'none') namespaces.push({ type: 'network' });
  if (input.cgroupNamespace) namespaces.push({ type: 'cgroup' });
  const spec = {
    ociVersion: '1.0.2-dev',
    process: {
      terminal: false,
      user: { uid: input.uid, gid: input.gid, ...(input.additionalGids.length ? { additionalGids: input.additionalGids } : {}) },
      args: input.args,
      env: input.env,
      cwd: input.cwd || '/',
      capabilities: {
        bounding: DEFAULT_CAPABILITIES,
        effective: DEFAULT_CAPABILITIES,
        permitted: DEFAULT_CAPABILITIES,
      },
      ...(input.rlimits?.length ? { rlimits: input.rlimits } : {}),
      noNewPrivileges: false,
    },
    root: { path: input.rootfs, readonly: false },
    hostname: input.hostname,
    mounts: [
      ...defaultMounts(),
      roBind(input.resolvConfPath, '/etc/resolv.conf'),
      roBind(input.hostsPath, '/etc/hosts'),
      { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['ro', 'nosuid', 'noexec', 'nodev'] },
      ...input.mounts,
    ],
    linux: {
      namespaces,
      maskedPaths: MASKED_PATHS,
      readonlyPaths: READONLY_PATHS,
    },
  } satisfies OciSpec as OciSpec;
  return input.security === 'insecure' ? insecure(spec, input.insecureHost ?? { devices: [] }) : spec;
}

/**
 * BuildKit's SecurityMode_INSECURE options: WithInsecureSpec (every capability in every set,
 * ambient and inheritable included, no masked or read-only paths, all devices allowed, the
 * extra devices), WithWriteableCgroupfs and WithWriteableSysfs ('ro' becomes 'rw').
 */
function insecure(spec: OciSpec, host: InsecureHost): OciSpec {
  const all = withinBound(uniq([...DEFAULT_CAPABILITIES, ...INSECURE_CAPABILITIES]), host.capabilityBound);
  const added = withinBound(INSECURE_CAPABILITIES, host.capabilityBound);
  const devices = host.devices;
  const writable = (m: SpecMount): SpecMount =>
    (m.type === 'sysfs' || m.type === 'cgroup' ? { ...m, options: m.options.map((o) => (o === 'ro' ? 'rw' : o)) } : m);
  return {
    ...spec,
    process: {
      ...spec.process,
      capabilities: { bounding: all, effective: all, permitted: all, ambient: added, inheritable: added },
    },
    mounts: spec.mounts.map(writable),
    linux: {
      ...spec.linux,
      maskedPaths: [],
      readonlyPaths: [],
      ...(devices.length ? { devices } : {}),
      resources: { devices: [{ allow: true, type: 'c', access: 'rwm' }, { allow: true, type: 'b', access: 'rwm' }] },
    },
  };
}
