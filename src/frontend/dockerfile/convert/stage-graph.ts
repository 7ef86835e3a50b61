// Stages and how they depend on each other (BuildKit's buildDispatchStates,
// buildStageDependencyGraph, resolveTarget, allReachableStages): stages by name and index,
// `--target`, `COPY --from` and `RUN --mount from=` edges, cycles, reachability.
import type { SourceRange } from '../ast.js';
import { normalizeImageRef } from '../../../llb/image-ref.js';
import { suggest, withSuggestion } from '../instructions/suggest.js';
import type { Command, Stage } from '../instructions/types.js';
import type { ConvertContext } from './context.js';
import { DispatchState } from './dispatch-state.js';
import { errorAt } from './located-error.js';
import { parsePlatform } from './platform.js';
import type { StageCommand } from './dispatch-state.js';
import { EMPTY_IMAGE_NAME } from './base-images.js';
import { goQuote } from '../parser/go-quote.js';

/** Registers every stage with its FROM expanded by the global ARGs. */
export function buildDispatchStates(
  ctx: ConvertContext,
  stages: readonly Stage[],
  declaredMetaArgs: ReadonlySet<string>,
  noCache: boolean | readonly string[],
): void {
  stages.forEach((st, i) => {
    let baseName: string;
    try {
      const res = ctx.shlex.processWordWithMatches(st.baseName, ctx.globalArgs);
      lintUndeclaredFromArgs(ctx, declaredMetaArgs, res.unmatched, st.from.range);
      baseName = res.result;
    } catch (err) {
      throw errorAt(ctx.src, st.from.range, err);
    }
    if (baseName === '') throw errorAt(ctx.src, st.from.range, `base name (${st.baseName}) should not be blank`);
    const ds = new DispatchState(st, baseName, st.from.range);
    if (st.platform !== '') {
      let p: string;
      try {
        const res = ctx.shlex.processWordWithMatches(st.platform, ctx.globalArgs);
        lintUndeclaredFromArgs(ctx, declaredMetaArgs, res.unmatched, st.from.range);
        // Only $TARGETPLATFORM substituted, giving exactly the target platform: the default anyway.
        if (res.matched.size === 1 && res.unmatched.size === 0 && res.matched.has('TARGETPLATFORM') && res.result === ctx.globalArgs.get('TARGETPLATFORM')) {
          ctx.lint.run('RedundantTargetPlatform', `Setting platform to predefined ${st.platform} in FROM is redundant as this is the default behavior`, st.from.range);
        }
        lintConstPlatform(ctx, st, res);
        p = res.result;
      } catch (err) {
        throw errorAt(ctx.src, st.from.range, `failed to process arguments for platform ${st.platform}: ${(err as Error).message}`);
      }
      if (p === '') throw errorAt(ctx.src, st.from.range, `empty platform value from expression ${st.platform}`);
      try {
        ds.platform = parsePlatform(p);
      } catch (err) {
        // Every stage's platform is parsed, built or not (BuildKit's buildDispatchStates).
        throw errorAt(ctx.src, st.from.range, `failed to parse platform ${st.platform}: ${(err as Error).message}`);
      }
    }
    if (st.name === '') ds.stageName = `stage-${i}`;
    ctx.states.add(ds);
    let total = ds.baseName !== EMPTY_IMAGE_NAME && !ds.base ? 1 : 0;
    for (const c of st.commands) if (['add', 'copy', 'run', 'workdir'].includes(c.kind)) total++;
    ds.cmdTotal = total;
    ds.ignoreCache = noCache === true || (Array.isArray(noCache) && noCache.some((n) => n.toLowerCase() === st.name));
  });
}

/**
 * BuildKit's reportConstPlatformDisallowed: `FROM --platform=linux/arm64` (no variable) is
 * flagged unless the stage name contains the platform's OS or architecture (`AS build-arm64`).
 */
function lintConstPlatform(ctx: ConvertContext, st: Stage, res: { result: string; matched: ReadonlySet<string>; unmatched: ReadonlySet<string> }): void {
  if (res.matched.size > 0 || res.unmatched.size > 0) return;
  let p;
  try {
    p = parsePlatform(res.result);
  } catch {
    return; // fails later with its own error
  }
  if (st.name.includes(p.os) || st.name.includes(p.architecture)) return;
  ctx.lint.run('FromPlatformFlagConstDisallowed', `FROM --platform flag should not use constant value ${goQuote(res.result)}`, st.from.range);
}

/** The stage `--target` names (default: the last one). */
export function resolveTarget(ctx: ConvertContext, target: string | undefined): DispatchState {
  const states = ctx.states;
  if (!target) return states.states[states.states.length - 1]!;
  const found = states.findByName(target);
  if (found) return found;
  const names = states.states.filter((s) => s.stage && s.stage.name !== '').map((s) => s.stage!.name);
  const list = names.length > 0 ? names.join(', ') : 'none (no stage has a name; use FROM … AS name)';
  const err = new Error(withSuggestion(`target stage ${JSON.stringify(target)} could not be found`, target, names, false) + `; stages: ${list}`);
  (err as Error & { exitCode?: number }).exitCode = 1;
  throw err;
}

/** Wraps a command with the stages it reads (BuildKit's toCommand + detectRunMount). */
export function toCommand(ctx: ConvertContext, d: DispatchState, cmd: Command, isOnBuild: boolean): StageCommand {
  const sc: StageCommand = { cmd, sources: [], isOnBuild };
  if (cmd.kind === 'copy' && cmd.from !== '') {
    const res = ctx.shlex.processWordWithMatches(cmd.from, new Map());
    if (res.result !== cmd.from) {
      throw errorAt(ctx.src, cmd.range, 'variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround');
    }
    let src: DispatchState | undefined;
    if (/^[+-]?[0-9]+$/.test(cmd.from)) {
      try {
        src = ctx.states.findByIndex(Number(cmd.from));
      } catch (err) {
        throw errorAt(ctx.src, cmd.range, err);
      }
    } else {
      src = ctx.states.findByName(cmd.from) ?? new DispatchState(undefined, cmd.from, cmd.range);
    }
    sc.sources = [src];
  } else if (cmd.kind === 'run') {
    // BuildKit's detectRunMount reads the mounts of the parse-time pass, where only `from=` is
    // known (a type, mode or id may be a variable): a mount without `from` gets the empty
    // image, whatever its type. Reading the full mounts here lost a cache mount whose other
    // fields use variables (`mode=$M` failed to parse, so the RUN had no scratch source).
    sc.sources = cmd.mountFroms.map((f) => {
      const from = f !== '' ? f : EMPTY_IMAGE_NAME;
      return ctx.states.findByName(from) ?? new DispatchState(undefined, from, cmd.range);
    });
  }
  for (const src of sc.sources) {
    if (!src) continue;
    d.deps.set(src, cmd);
    if (src.unregistered && !ctx.states.states.includes(src)) ctx.states.add(src);
  }
  return sc;
}

/** Wires every stage's commands to the stages they use; rejects cycles. */
export function buildStageDependencyGraph(ctx: ConvertContext): void {
  const stages = [...ctx.states.states];
  for (const d of stages) {
    if (!d.stage) continue;
    d.commands = d.stage.commands.map((c) => toCommand(ctx, d, c, false));
  }
  validateCircularDependency(ctx, stages);
  if (ctx.states.states.length === 1) ctx.states.states[0]!.stageName = '';
}

function validateCircularDependency(ctx: ConvertContext, states: readonly DispatchState[]): void {
  const visited = new Set<DispatchState>();
  const path = new Set<DispatchState>();
  const visit = (d: DispatchState, via: Command | undefined): void => {
    if (path.has(d)) {
      const range = via?.range ?? d.location;
      throw errorAt(ctx.src, range, `circular dependency detected on stage: ${d.stageName || d.baseName}`);
    }
    if (visited.has(d)) return;
    visited.add(d);
    path.add(d);
    if (d.base) visit(d.base, undefined);
    for (const [dep, cmd] of d.deps) visit(dep, cmd);
    path.delete(d);
  };
  for (const d of states) visit(d, undefined);
}

/** The target and every stage it needs through FROM, COPY --from and RUN --mount from=. */
export function reachableStages(target: DispatchState): Set<DispatchState> {
  const out = new Set<DispatchState>();
  const stack = [target];
  while (stack.length > 0) {
    const s = stack.pop()!;
    if (out.has(s)) continue;
    out.add(s);
    if (s.base) stack.push(s.base);
    for (const dep of s.deps.keys()) stack.push(dep);
  }
  return out;
}

/** `FROM argument 'X' is not declared` (BuildKit's UndefinedArgInFrom). */
function lintUndeclaredFromArgs(ctx: ConvertContext, declared: ReadonlySet<string>, unmatched: Iterable<string>, range: SourceRange): void {
  const known = [...new Set([...declared, ...ctx.globalArgs.keys()])];
  for (const arg of unmatched) {
    if (known.includes(arg)) continue;
    const s = suggest(arg, known, true);
    ctx.lint.run('UndefinedArgInFrom', `FROM argument '${arg}' is not declared${s ? ` (did you mean ${s}?)` : ''}`, range);
  }
}

/** Base names that only work thanks to a --build-arg (BuildKit's validateBaseImagesWithDefaultArgs). */
export function lintDefaultArgsInFrom(ctx: ConvertContext, stages: readonly Stage[], defaults: ReadonlyMap<string, string>): void {
  for (const st of stages) {
    let name: string;
    try {
      name = ctx.shlex.processWordWithMatches(st.baseName, defaults).result;
    } catch {
      return;
    }
    try {
      if (name === '') throw new Error('empty');
      normalizeImageRef(name);
    } catch {
      ctx.lint.run('InvalidDefaultArgInFrom', `Default value for ARG ${st.baseName} results in empty or invalid base image name`, st.from.range);
    }
  }
}
