// `slipway build` flags → a BuildRequest. Kept apart from the command wiring so that the
// flag set can grow (tags, outputs, secrets, cache…) without touching how a build runs.
import * as path from 'node:path';
import { classifyContext, type ContextSpec } from '../../context/remote/context-spec.js';
import { UsageError } from '../errors.js';

export type PrintLLBFormat = 'json' | 'dot';

export interface BuildRequest {
  /** What the context argument names (a local directory, stdin, a git or http URL). */
  context: ContextSpec;
  /** Absolute path of the context directory (for other kinds: set once it is fetched). */
  contextDir: string;
  /** `-f` as given. */
  file: string | undefined;
  /** The Dockerfile's text when it came with the context (stdin, a URL that is not an archive). */
  dockerfileText?: string;
  /** Absolute path of the Dockerfile, or `-` for standard input. */
  dockerfile: string;
  /** The Dockerfile's name as shown in errors (relative to the context when inside it). */
  dockerfileName: string;
  target: string | undefined;
  buildArgs: Map<string, string>;
  platform: string | undefined;
  printLLB: PrintLLBFormat | undefined;
}

/** commander collector for repeatable flags. */
export function collectBuildFlag(value: string, previous: unknown): string[] {
  // Negatable names (--no-cache-filter) hand commander's boolean default in as `previous`.
  return [...(Array.isArray(previous) ? (previous as string[]) : []), value];
}

export function parseBuildFlags(contextArg: string | undefined, raw: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): BuildRequest {
  let context = contextArg;
  let printLlb = raw.printLlb;
  // `--print-llb CONTEXT`: commander hands the context to the optional format value.
  if (context === undefined && typeof printLlb === 'string' && printLlb !== 'json' && printLlb !== 'dot') {
    context = printLlb;
    printLlb = true;
  }
  if (context === undefined) throw new UsageError('build requires exactly 1 argument: a context directory, URL or -');
  const spec = classifyContext(context);
  const file = typeof raw.file === 'string' ? raw.file : undefined;
  if (spec.kind === 'stdin' && file === '-') throw new UsageError('invalid argument: can\'t use stdin for both build context and dockerfile');
  const contextDir = spec.kind === 'local' ? spec.dir : path.resolve(context);
  const { dockerfile, dockerfileName } = locateDockerfile(contextDir, file, spec.kind === 'local' || spec.kind === 'missing');
  return {
    context: spec,
    contextDir,
    file,
    dockerfile,
    dockerfileName,
    target: typeof raw.target === 'string' && raw.target !== '' ? raw.target : undefined,
    buildArgs: parseBuildArgs((raw.buildArg as string[] | undefined) ?? [], env),
    // Checked by the converter (only linux/amd64), as FROM --platform is.
    platform: typeof raw.platform === 'string' && raw.platform !== '' ? raw.platform : undefined,
    printLLB: parsePrintLLB(printLlb),
  };
}

/**
 * The Dockerfile's path and display name: `-f` is relative to the working directory for a
 * local context and to the context itself for a fetched one (as for BuildKit's remote contexts).
 */
export function locateDockerfile(contextDir: string, file: string | undefined, local: boolean): { dockerfile: string; dockerfileName: string } {
  if (file === '-') return { dockerfile: '-', dockerfileName: 'Dockerfile' };
  if (file === undefined) return { dockerfile: path.join(contextDir, 'Dockerfile'), dockerfileName: 'Dockerfile' };
  const dockerfile = local ? path.resolve(file) : path.join(contextDir, path.posix.normalize(`/${file}`));
  const rel = path.relative(contextDir, dockerfile);
  return { dockerfile, dockerfileName: rel.startsWith('..') || path.isAbsolute(rel) ? file : rel };
}

/** The request once a fetched context is on disk. */
export function withContextDir(req: BuildRequest, dir: string, dockerfileText: string | undefined): BuildRequest {
  const located = dockerfileText !== undefined ? { dockerfile: path.join(dir, 'Dockerfile'), dockerfileName: 'Dockerfile' } : locateDockerfile(dir, req.file, false);
  return { ...req, contextDir: dir, ...located, ...(dockerfileText !== undefined ? { dockerfileText } : {}) };
}

/** `K=V`, or `K` alone to take the value from the environment (skipped when unset, as docker). */
export function parseBuildArgs(values: readonly string[], env: NodeJS.ProcessEnv): Map<string, string> {
  const out = new Map<string, string>();
  for (const v of values) {
    const eq = v.indexOf('=');
    const key = eq < 0 ? v : v.slice(0, eq);
    if (key === '') throw new UsageError(`invalid --build-arg ${JSON.stringify(v)}: expected KEY=VALUE`);
    if (eq >= 0) out.set(key, v.slice(eq + 1));
    else if (env[key] !== undefined) out.set(key, env[key]!);
  }
  return out;
}

function parsePrintLLB(v: unknown): PrintLLBFormat | undefined {
  if (v === undefined || v === false) return undefined;
  if (v === true || v === 'json') return 'json';
  if (v === 'dot') return 'dot';
  throw new UsageError(`invalid --print-llb format ${JSON.stringify(v)}: expected json or dot`);
}
