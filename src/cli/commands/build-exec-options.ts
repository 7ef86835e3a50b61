// The flags that drive a build's execution (as opposed to conversion): tags and outputs,
// cache control, progress, runtime, network, secrets and ssh.
import { availableParallelism } from 'node:os';
import path from 'node:path';
import type { SecretSource } from '../../solver/ops/context.js';
import type { RuntimeName } from '../../solver/executor/runtime.js';
import type { HostIP, Ulimit } from '../../llb/types.js';
import { UsageError } from '../errors.js';
import { parseAddHost, parseShmSize, parseUlimit } from './build-run-flags.js';

export type ProgressMode = 'plain' | 'auto' | 'tty' | 'quiet' | 'rawjson';

export interface ExecRequest {
  tags: string[];
  outputs: string[];
  noCache: boolean;
  noCacheFilter: string[];
  pull: boolean;
  progress: ProgressMode;
  quiet: boolean;
  maxParallelism: number;
  runtime: RuntimeName;
  /** --network; undefined leaves RUN steps on the default (sandbox = host networking here). */
  network: 'host' | 'none' | undefined;
  secrets: Map<string, SecretSource>;
  ssh: Map<string, string>;
  explainCache: boolean;
  iidfile: string | undefined;
  metadataFile: string | undefined;
  labels: Record<string, string>;
  /** --push: push the -t names (buildx's shorthand for an image output with push=true). */
  push: boolean;
  /** --allow: granted entitlements (network.host, security.insecure). */
  allow: Set<Entitlement>;
  /** --insecure-registry hosts (plain HTTP / unverified TLS). */
  insecureRegistries: string[];
  // cache-import/export (issue 8): parsed and wired by the registry-cache code.
  cacheFrom: string[];
  cacheTo: string[];
  /** --add-host, --ulimit, --shm-size (bytes, 0: default): every RUN's. */
  extraHosts: HostIP[];
  ulimits: Ulimit[];
  shmSize: number;
}

export type Entitlement = 'network.host' | 'security.insecure';
const ENTITLEMENTS: readonly Entitlement[] = ['network.host', 'security.insecure'];

/** `--allow network.host,security.insecure` (repeatable, comma lists), as buildx. */
export function parseAllow(values: readonly string[]): Set<Entitlement> {
  const out = new Set<Entitlement>();
  for (const v of values.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean)) {
    if (!ENTITLEMENTS.includes(v as Entitlement)) throw new UsageError(`invalid --allow ${JSON.stringify(v)}: expected network.host or security.insecure`);
    out.add(v as Entitlement);
  }
  return out;
}

function list(v: unknown): string[] {
  return Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : [];
}

/** `id=NAME,src=FILE` / `id=NAME,env=VAR` (type=file|env optional); `id` alone reads env NAME. */
export function parseSecret(spec: string, env: NodeJS.ProcessEnv = process.env): [string, SecretSource] {
  const fields = new Map<string, string>();
  for (const part of spec.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) throw new UsageError(`invalid --secret ${JSON.stringify(spec)}: expected key=value fields`);
    fields.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1));
  }
  const id = fields.get('id');
  if (!id) throw new UsageError(`invalid --secret ${JSON.stringify(spec)}: id= is required`);
  const src = fields.get('src') ?? fields.get('source');
  const fromEnv = fields.get('env');
  const type = fields.get('type');
  if (type === 'env' || (fromEnv !== undefined && !src)) return [id, { env: fromEnv ?? src ?? id }];
  if (src) return [id, { file: path.resolve(src) }];
  // buildx: no src → the env var named by id if set, else a file named by id.
  return [id, env[id] !== undefined ? { env: id } : { file: path.resolve(id) }];
}

/** `default` (SSH_AUTH_SOCK), `id=SOCKET`. */
export function parseSSH(spec: string, env: NodeJS.ProcessEnv = process.env): [string, string] {
  const eq = spec.indexOf('=');
  const id = eq < 0 ? spec : spec.slice(0, eq);
  const sock = eq < 0 ? env.SSH_AUTH_SOCK : spec.slice(eq + 1);
  if (!id) throw new UsageError(`invalid --ssh ${JSON.stringify(spec)}`);
  if (!sock) throw new UsageError(`invalid --ssh ${JSON.stringify(spec)}: SSH_AUTH_SOCK is not set`);
  return [id, path.resolve(sock)];
}

/** buildx's attestation flags: accepted when they turn attestations off (Slipway makes none). */
function refuseAttestations(raw: Record<string, unknown>): void {
  const off = (v: string): boolean => /^(false|0)$/i.test(v.trim()) || /(^|,)disabled=true(,|$)/i.test(v);
  for (const [flag, value] of [['--provenance', raw.provenance], ['--sbom', raw.sbom], ...list(raw.attest).map((a) => ['--attest', a])] as const) {
    if (value === undefined) continue;
    if (!off(String(value))) throw new UsageError(`${flag} ${JSON.stringify(String(value))}: attestations (provenance, SBOM) are not supported; only ${flag === '--attest' ? 'type=…,disabled=true' : 'false'} is accepted`);
  }
}

export function parseExecFlags(raw: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): ExecRequest {
  refuseAttestations(raw);
  const outputs = list(raw.output);
  // --load: buildx's shorthand for an output into the daemon's store; here the local store.
  if (raw.load === true && !outputs.some((o) => /(^|,)type=image(,|$)/.test(o))) outputs.push('type=image');
  let progress = String(raw.progress ?? 'auto') as ProgressMode;
  if (!['plain', 'auto', 'tty', 'quiet', 'rawjson'].includes(progress)) {
    throw new UsageError(`invalid --progress ${JSON.stringify(progress)}: expected auto, plain, tty, rawjson or quiet`);
  }
  // -q alone: no progress at all, only the image ID on stdout. buildx refuses -q with another
  // --progress; here an explicit --progress keeps its output on stderr (stdout stays the ID).
  if (raw.quiet === true && progress === 'auto') progress = 'quiet';
  const runtime = String(raw.runtime ?? 'runc');
  if (runtime !== 'runc' && runtime !== 'crun') throw new UsageError(`invalid --runtime ${JSON.stringify(runtime)}: expected runc or crun`);
  const network = String(raw.network ?? 'default');
  if (!['default', 'host', 'none'].includes(network)) throw new UsageError(`invalid --network ${JSON.stringify(network)}: expected host or none`);
  const maxPar = raw.maxParallelism === undefined ? availableParallelism() : Number(raw.maxParallelism);
  if (!Number.isInteger(maxPar) || maxPar < 1) throw new UsageError(`invalid --max-parallelism ${JSON.stringify(raw.maxParallelism)}`);
  const labels: Record<string, string> = {};
  for (const l of list(raw.label)) {
    const eq = l.indexOf('=');
    labels[eq < 0 ? l : l.slice(0, eq)] = eq < 0 ? '' : l.slice(eq + 1);
  }
  return {
    tags: list(raw.tag),
    outputs,
    noCache: raw.cache === false || raw.noCache === true,
    noCacheFilter: list(raw.noCacheFilter ?? raw.cacheFilter).flatMap((s) => s.split(',')).filter(Boolean),
    pull: raw.pull === true,
    progress,
    quiet: raw.quiet === true,
    maxParallelism: maxPar,
    runtime,
    network: network === 'default' ? undefined : network === 'none' ? 'none' : 'host',
    secrets: new Map(list(raw.secret).map((s) => parseSecret(s, env))),
    ssh: new Map(list(raw.ssh).map((s) => parseSSH(s, env))),
    explainCache: raw.explainCache === true,
    iidfile: typeof raw.iidfile === 'string' ? raw.iidfile : undefined,
    metadataFile: typeof raw.metadataFile === 'string' ? raw.metadataFile : undefined,
    labels,
    push: raw.push === true,
    allow: parseAllow(list(raw.allow)),
    insecureRegistries: list(raw.insecureRegistry).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean),
    cacheFrom: list(raw.cacheFrom),
    cacheTo: list(raw.cacheTo),
    extraHosts: list(raw.addHost).flatMap((s) => s.split(',')).filter(Boolean).map(parseAddHost),
    ulimits: list(raw.ulimit).map(parseUlimit),
    shmSize: raw.shmSize === undefined ? 0 : parseShmSize(String(raw.shmSize)),
  };
}
