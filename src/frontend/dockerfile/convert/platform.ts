// Target and build platforms. Slipway runs RUN steps natively only, so linux/amd64 is
// the one platform it can build; anything else is refused with a clear error rather than
// producing an image whose binaries cannot run here.
import type { Platform } from '../../../llb/types.js';

export const LINUX_AMD64: Platform = { os: 'linux', architecture: 'amd64' };

const KNOWN_OS = new Set(['aix', 'android', 'darwin', 'dragonfly', 'freebsd', 'hurd', 'illumos', 'ios', 'js', 'linux', 'nacl', 'netbsd', 'openbsd', 'plan9', 'solaris', 'windows', 'zos']);
/** containerd's isKnownArch. */
const KNOWN_ARCH = new Set(['386', 'amd64', 'amd64p32', 'arm', 'armbe', 'arm64', 'arm64be', 'ppc64', 'ppc64le', 'loong64', 'mips', 'mipsle',
  'mips64', 'mips64le', 'mips64p32', 'mips64p32le', 'ppc', 'riscv', 'riscv64', 's390', 's390x', 'sparc', 'sparc64', 'wasm']);
const ARCH_ALIASES: Record<string, string> = { x86_64: 'amd64', 'x86-64': 'amd64', aarch64: 'arm64', armhf: 'arm', armel: 'arm', i386: '386' };

/** An unsupported or malformed `--platform` / `FROM --platform` value. */
export class PlatformError extends Error {
  readonly exitCode = 1;
  constructor(message: string) {
    super(message);
    this.name = 'PlatformError';
  }
}

/** containerd's platforms.Parse + Normalize for the forms Dockerfiles use. */
export function parsePlatform(spec: string): Platform {
  const s = spec.trim().toLowerCase();
  if (s === 'local') return { ...LINUX_AMD64 };
  const parts = s.split('/');
  if (parts.some((p) => p === '') || parts.length > 3) {
    throw new PlatformError(`"${spec}": invalid platform specifier: expected os/arch[/variant]`);
  }
  let os = 'linux';
  let arch = 'amd64';
  let variant = '';
  if (parts.length === 1) {
    // One word: an OS, else an architecture; anything else is refused (containerd's Parse).
    const p = parts[0]!;
    if (KNOWN_OS.has(p)) os = p;
    else if (KNOWN_ARCH.has(ARCH_ALIASES[p] ?? p)) arch = p;
    else throw new PlatformError(`"${spec}": unknown operating system or architecture: invalid argument`);
  } else {
    os = parts[0]!;
    arch = parts[1]!;
    variant = parts[2] ?? '';
  }
  arch = ARCH_ALIASES[arch] ?? arch;
  if (arch === 'amd64' && variant === 'v1') variant = '';
  if (arch === 'arm64' && variant === 'v8') variant = '';
  const p: Platform = { os, architecture: arch };
  if (variant) p.variant = variant;
  return p;
}

/** `os/arch[/variant]` (containerd platforms.Format). */
export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

/** Throws unless `p` is linux/amd64, the only platform Slipway can build. */
export function requireBuildable(p: Platform, what: string): void {
  if (p.os === 'linux' && p.architecture === 'amd64' && !p.variant) return;
  throw new PlatformError(
    `${what} ${formatPlatform(p)} is not supported: slipway builds only linux/amd64 (no emulation or cross-building)`,
  );
}

/**
 * The automatic platform ARGs, available in FROM lines without declaring them and inside a
 * stage after `ARG NAME` (BuildKit's defaultArgs). Build and target platform are the same
 * here. `--build-arg` overrides them, as in BuildKit.
 */
export function platformArgs(target: Platform, targetStage: string, overrides: ReadonlyMap<string, string>): Map<string, string> {
  const build = LINUX_AMD64;
  const pairs: [string, string][] = [
    ['BUILDPLATFORM', formatPlatform(build)],
    ['BUILDOS', build.os],
    ['BUILDOSVERSION', build.osVersion ?? ''],
    ['BUILDARCH', build.architecture],
    ['BUILDVARIANT', build.variant ?? ''],
    ['TARGETPLATFORM', formatPlatform(target)],
    ['TARGETOS', target.os],
    ['TARGETOSVERSION', target.osVersion ?? ''],
    ['TARGETARCH', target.architecture],
    ['TARGETVARIANT', target.variant ?? ''],
    ['TARGETSTAGE', targetStage],
  ];
  const env = new Map<string, string>();
  for (const [k, v] of pairs) env.set(k, overrides.get(k) ?? v);
  return env;
}

/** Names of the automatic ARGs (never reported as unused build args). */
export const PLATFORM_ARG_NAMES = new Set([
  'BUILDPLATFORM', 'BUILDOS', 'BUILDOSVERSION', 'BUILDARCH', 'BUILDVARIANT',
  'TARGETPLATFORM', 'TARGETOS', 'TARGETOSVERSION', 'TARGETARCH', 'TARGETVARIANT', 'TARGETSTAGE',
]);
