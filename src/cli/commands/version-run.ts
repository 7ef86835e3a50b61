// `slipway version`: as `docker version` lists the engine's components (containerd, runc,
// docker-init) by running each with --version, this lists the programs a build runs: the
// OCI runtimes (runc, the default, and crun) and the syscall helper's perl.
import { findCommand } from '../../solver/executor/find-command.js';
import { runTool } from '../../solver/layer/run-tool.js';
import { goJson, Template } from '../format/template.js';

declare const SLIPWAY_VERSION: string;

export interface ComponentVersion {
  Name: string;
  /** Where it runs from; '' when it is not installed. */
  Path: string;
  Version: string;
  GitCommit: string;
  /** The OCI runtime spec version it implements (runtimes only). */
  Spec?: string;
  /** Why no version could be read. */
  Error?: string;
}

export interface VersionInfo {
  Client: { Version: string; NodeVersion: string; Os: string; Arch: string; Root: string };
  Runtimes: ComponentVersion[];
  SyscallHelper: ComponentVersion;
}

const GO_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

/** Output of `cmd args…` (stdout), rejecting with the first line of its stderr on a non-zero exit. */
async function output(file: string, args: string[], env?: NodeJS.ProcessEnv): Promise<string> {
  const r = await runTool(file, args, env ? { env } : {});
  if (r.code !== 0) throw new Error((r.stderr.trim() || `${file} exited with ${r.code}`).split('\n')[0]);
  return r.stdout.toString('utf8');
}

/** Fields of `runc --version` / `crun --version`: "<name> version X", "commit: Y", "spec: Z". */
export function parseRuntimeVersion(text: string): { version: string; commit: string; spec: string } {
  const field = (re: RegExp): string => re.exec(text)?.[1]?.trim() ?? '';
  return { version: field(/version\s+(\S+)/), commit: field(/^commit:\s*(.*)$/m), spec: field(/^spec:\s*(.*)$/m) };
}

async function runtimeVersion(name: string): Promise<ComponentVersion> {
  const file = findCommand(name);
  if (!file) return { Name: name, Path: '', Version: '', GitCommit: '', Spec: '', Error: 'not installed' };
  try {
    const v = parseRuntimeVersion(await output(file, ['--version']));
    return { Name: name, Path: file, Version: v.version, GitCommit: v.commit, Spec: v.spec };
  } catch (e) {
    return { Name: name, Path: file, Version: '', GitCommit: '', Spec: '', Error: (e as Error).message };
  }
}

async function helperVersion(): Promise<ComponentVersion> {
  const file = findCommand('perl');
  if (process.env.SLIPWAY_SYSHELPER === '0') return { Name: 'perl', Path: file ?? '', Version: '', GitCommit: '', Error: 'disabled (SLIPWAY_SYSHELPER=0)' };
  if (!file) return { Name: 'perl', Path: '', Version: '', GitCommit: '', Error: 'not installed (mount, mknod and xattr calls start a program each)' };
  try {
    // The helper's own environment: nothing but PATH (see sys-helper.ts).
    const version = (await output(file, ['-e', 'print $^V'], { PATH: process.env.PATH ?? '' })).trim();
    return { Name: 'perl', Path: file, Version: version, GitCommit: '' };
  } catch (e) {
    return { Name: 'perl', Path: file, Version: '', GitCommit: '', Error: (e as Error).message };
  }
}

export async function versionInfo(root: string): Promise<VersionInfo> {
  const [runc, crun, helper] = await Promise.all([runtimeVersion('runc'), runtimeVersion('crun'), helperVersion()]);
  return {
    Client: {
      Version: typeof SLIPWAY_VERSION === 'string' ? SLIPWAY_VERSION : '0.0.0-dev',
      NodeVersion: process.version,
      Os: process.platform,
      Arch: GO_ARCH[process.arch] ?? process.arch,
      Root: root,
    },
    Runtimes: [runc, crun],
    SyscallHelper: helper,
  };
}

function componentLines(c: ComponentVersion, extra: Array<[string, string | undefined]> = []): string[] {
  const pad = (k: string): string => `  ${`${k}:`.padEnd(18)}`;
  if (c.Error && !c.Version) return [` ${c.Name}:`, `${pad('Error')}${c.Error}`, ...(c.Path ? [`${pad('Path')}${c.Path}`] : [])];
  return [
    ` ${c.Name}:`,
    `${pad('Version')}${c.Version}`,
    ...(c.GitCommit ? [`${pad('GitCommit')}${c.GitCommit}`] : []),
    ...extra.filter(([, v]) => v).map(([k, v]) => `${pad(k)}${v}`),
    `${pad('Path')}${c.Path}`,
  ];
}

export function renderVersion(info: VersionInfo): string {
  const c = info.Client;
  const pad = (k: string): string => ` ${`${k}:`.padEnd(19)}`;
  return [
    'Client: Slipway',
    `${pad('Version')}${c.Version}`,
    `${pad('Node.js version')}${c.NodeVersion}`,
    `${pad('OS/Arch')}${c.Os}/${c.Arch}`,
    `${pad('Root')}${c.Root}`,
    '',
    'Runtimes:',
    ...info.Runtimes.flatMap((r) => componentLines(r, [['Spec', r.Spec]])),
    '',
    'Syscall helper:',
    ...componentLines(info.SyscallHelper),
    '',
  ].join('\n');
}

export async function runVersion(root: string, opts: { format?: string }): Promise<void> {
  const info = await versionInfo(root);
  if (opts.format === undefined) process.stdout.write(renderVersion(info));
  else if (opts.format === 'json') process.stdout.write(`${goJson(info)}\n`);
  else process.stdout.write(`${Template.parse(opts.format.replace(/\\t/g, '\t').replace(/\\n/g, '\n')).execute(info)}\n`);
}
