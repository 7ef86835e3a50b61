// `slipway build` flags → a BuildRequest. Kept apart from the command wiring so that the
// flag set can grow (tags, outputs, secrets, cache…) without touching how a build runs.
import * as path from 'node:path';
import { UsageError } from '../errors.js';

export type PrintLLBFormat = 'json' | 'dot';

export interface BuildRequest {
  /** Absolute path of the context directory. */
  contextDir: string;
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
  if (context === undefined) throw new UsageError('build requires exactly 1 argument: the context directory');
  const contextDir = path.resolve(context);
  const file = typeof raw.file === 'string' ? raw.file : undefined;
  const dockerfile = file === '-' ? '-' : file ? path.resolve(file) : path.join(contextDir, 'Dockerfile');
  const rel = path.relative(contextDir, dockerfile);
  const dockerfileName = file === undefined || file === '-' ? 'Dockerfile' : rel.startsWith('..') || path.isAbsolute(rel) ? file : rel;
  return {
    contextDir,
    dockerfile,
    dockerfileName,
    target: typeof raw.target === 'string' && raw.target !== '' ? raw.target : undefined,
    buildArgs: parseBuildArgs((raw.buildArg as string[] | undefined) ?? [], env),
    platform: typeof raw.platform === 'string' ? raw.platform : undefined,
    printLLB: parsePrintLLB(printLlb),
  };
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
