// Dockerfile → LLB (BuildKit's dockerfile2llb): parse, resolve stages and base images, then
// dispatch every reachable stage's instructions into LLB states and the target's image
// config. Nothing is executed; the result is a Definition for the solver.
//
// Why two dispatch passes: the build context source lists the paths the stages read, but
// those are known only after dispatch (they depend on ARG/ENV expansion), and an op's
// digest needs its inputs' digests at construction. The first pass collects the paths
// with a placeholder context; the second builds the real graph. Dispatch does no I/O.
import { marshal } from '../../../llb/marshal.js';
import { SourceMap } from '../../../llb/vertex.js';
import type { DockerfileAST } from '../ast.js';
import { DockerfileError } from '../errors.js';
import { cloneImage, type Image } from '../image-config.js';
import { parseInstructions } from '../instructions/index.js';
import type { ArgCommand, Stage } from '../instructions/types.js';
import { parseDockerfile } from '../parser/index.js';
import { type EscapeToken, ShellLex } from '../shell/index.js';
import { buildContextState } from './build-context.js';
import { buildMetaArgs, proxyEnvFromBuildArgs, unusedBuildArgs } from './build-args.js';
import { EMPTY_IMAGE_NAME, parseBaseName, resolveBaseImage } from './base-images.js';
import type { ConvertContext } from './context.js';
import { dispatchStage, initStage } from './dispatch.js';
import { DispatchStates, type DispatchState } from './dispatch-state.js';
import { errorAt } from './located-error.js';
import { Linter, parseLintConfig } from './lint.js';
import { lintFile } from './lint-stages.js';
import { initOnBuildTriggers } from './onbuild.js';
import type { ConvertOptions, ConvertResult, StageInfo } from './options.js';
import { LINUX_AMD64, parsePlatform, platformArgs, requireBuildable } from './platform.js';
import { buildDispatchStates, buildStageDependencyGraph, lintDefaultArgsInFrom, reachableStages, resolveTarget } from './stage-graph.js';

export type {
  ConvertOptions, ConvertResult, ConvertWarning, ImageConfigResolver, ImageResolveMode, ResolvedImageConfig, StageInfo, StepInfo,
} from './options.js';

export async function convertDockerfile(dockerfile: string | DockerfileAST, opts: ConvertOptions): Promise<ConvertResult> {
  const file = opts.file ?? (typeof dockerfile === 'string' ? 'Dockerfile' : dockerfile.file);
  if (typeof dockerfile === 'string' && dockerfile.length === 0) throw new DockerfileError('the Dockerfile cannot be empty');
  const ast = typeof dockerfile === 'string' ? parseDockerfile(dockerfile, { file }) : dockerfile;
  const { stages, metaArgs } = parseInstructions(ast);
  if (stages.length === 0) throw new DockerfileError('dockerfile contains no stages to build');

  const buildArgs = toMap(opts.buildArgs);
  const targetPlatform = opts.platform ? parsePlatform(opts.platform) : { ...LINUX_AMD64 };
  requireBuildable(targetPlatform, 'platform');
  const src = { file, source: ast.source };
  const shlex = new ShellLex(ast.escapeToken as EscapeToken);
  const targetName = opts.target || stages[stages.length - 1]!.name;

  const ctx: ConvertContext = {
    src,
    escapeToken: ast.escapeToken as EscapeToken,
    shlex,
    sourceMap: new SourceMap(file, 'Dockerfile', ast.source),
    globalArgs: new Map(),
    buildArgs,
    proxyEnv: proxyEnvFromBuildArgs(buildArgs),
    targetPlatform,
    states: new DispatchStates(),
    buildContext: buildContextState(undefined, []),
    epoch: sourceDateEpoch(buildArgs),
    consumedArgs: new Set(),
    warnings: [],
    lint: new Linter(parseLintConfig(buildArgs.get('BUILDKIT_DOCKERFILE_CHECK') ?? ast.directives.check), file),
    steps: [],
    cacheIDNamespace: buildArgs.get('BUILDKIT_CACHE_MOUNT_NS') ?? '',
    hostname: buildArgs.get('BUILDKIT_SANDBOX_HOSTNAME') ?? '',
    imageResolveMode: opts.imageResolveMode ?? 'default',
    runOptions: { extraHosts: opts.extraHosts ?? [], ulimits: opts.ulimits ?? [], shmSize: opts.shmSize ?? 0 },
  };
  const meta = buildMetaArgs(platformArgs(targetPlatform, targetName, buildArgs), shlex, metaArgs, buildArgs, (cmd, err) => {
    throw errorAt(src, cmd.range, err);
  });
  ctx.globalArgs = meta.globals;
  // SOURCE_DATE_EPOCH may also come from a global ARG default (BuildKit's getBuildArgValue).
  if (!ctx.epoch) ctx.epoch = sourceDateEpoch(new Map([['SOURCE_DATE_EPOCH', meta.globals.get('SOURCE_DATE_EPOCH') ?? '']]));

  lintFile(ctx.lint, ast, stages);
  lintDefaultBaseNames(ctx, stages, metaArgs, targetName);
  buildDispatchStates(ctx, stages, meta.declared, opts.noCache ?? false);
  const target = resolveTarget(ctx, opts.target);
  buildStageDependencyGraph(ctx);
  const reachable = await resolveStages(ctx, target, opts);

  // Pass 1 collects the context paths; pass 2 builds the graph that is returned.
  dispatchAll(ctx, reachable, opts);
  const paths = new Set<string>();
  for (const d of reachable) for (const p of d.ctxPaths) paths.add(p);
  ctx.buildContext = buildContextState(paths, opts.dockerignore ?? []);
  dispatchAll(ctx, reachable, opts);

  const consumed = new Set([...meta.declared, ...ctx.consumedArgs]);
  const unused = unusedBuildArgs(buildArgs, consumed);
  if (unused.length > 0) ctx.warnings.push({ message: `One or more build-args [${unused.join(' ')}] were not consumed` });

  const lintError = ctx.lint.error();
  if (lintError) {
    lintError.sources.set(file, ast.source);
    throw lintError;
  }
  const image = finalizeImage(target.r.image, targetPlatform, opts.labels);
  return {
    definition: marshal(target.r.state),
    state: target.r.state,
    image,
    baseImage: baseImageOf(target),
    target: target.stage?.name || `stage-${target.stage?.index ?? 0}`,
    stages: stageInfos(ctx, reachable),
    warnings: [...ctx.lint.warnings(), ...ctx.warnings],
    steps: ctx.steps,
  };
}

/** FROM lines that are invalid with the ARG defaults alone (a check BuildKit runs before converting). */
function lintDefaultBaseNames(ctx: ConvertContext, stages: readonly Stage[], metaArgs: readonly ArgCommand[], targetName: string): void {
  let defaults: Map<string, string>;
  try {
    defaults = buildMetaArgs(platformArgs(ctx.targetPlatform, targetName, new Map()), ctx.shlex, metaArgs, new Map(), (_cmd, err) => {
      throw err;
    }).globals;
  } catch {
    return; // as BuildKit: no check when the defaults alone do not expand
  }
  lintDefaultArgsInFrom(ctx, stages, defaults);
}

/** Resolves base images of reachable stages and their ONBUILD triggers, until no new stage is needed. */
async function resolveStages(ctx: ConvertContext, target: DispatchState, opts: ConvertOptions): Promise<Set<DispatchState>> {
  for (;;) {
    const reachable = opts.allStages
      ? new Set(ctx.states.states.filter((d) => d.stage).flatMap((d) => [...reachableStages(d)]))
      : reachableStages(target);
    // Stages that are not built still have their base parsed (BuildKit's resolveBaseImage with
    // reachable=false): `FROM Bad:Ref` or `COPY --from=Bad:Ref` fails the build wherever it is.
    for (const d of ctx.states.states) {
      if (!reachable.has(d) && !d.base && !d.resolved && d.baseName !== EMPTY_IMAGE_NAME) parseBaseName(ctx, d);
    }
    const pending = ctx.states.states.filter((d) => reachable.has(d) && !d.base && !d.resolved);
    for (const d of pending) {
      if (d.platform) {
        try {
          requireBuildable(d.platform, 'FROM --platform');
        } catch (err) {
          throw errorAt(ctx.src, d.location, err);
        }
      }
    }
    await Promise.all(pending.map((d) => resolveBaseImage(ctx, d, opts.resolveImageConfig)));
    let newDeps = false;
    for (const d of ctx.states.states) {
      if (!reachable.has(d) || d.unregistered || d.onBuildInit) continue;
      d.onBuildInit = true;
      const triggers = d.base
        ? d.base.commands.filter((c) => c.cmd.kind === 'onbuild').map((c) => (c.cmd as { expression: string }).expression)
        : d.resolvedImage?.config.OnBuild ?? [];
      if (!d.base && d.resolvedImage) d.resolvedImage.config.OnBuild = null;
      if (triggers.length > 0 && initOnBuildTriggers(ctx, d, triggers)) newDeps = true;
    }
    if (!newDeps) return reachable;
  }
}

function dispatchAll(ctx: ConvertContext, reachable: ReadonlySet<DispatchState>, opts: ConvertOptions): void {
  ctx.warnings = [];
  ctx.steps = [];
  ctx.lint.startDispatch();
  ctx.consumedArgs = new Set();
  for (const d of ctx.states.states) {
    d.run = undefined;
    d.ctxPaths = new Set();
  }
  // Images used by --from / mount from= are ready before any stage runs (BuildKit marks
  // them dispatched when it resolves them).
  for (const d of ctx.states.states) if (reachable.has(d) && d.unregistered) initStage(ctx, d, opts.network);
  for (const d of ctx.states.states) {
    if (!reachable.has(d) || d.unregistered) continue;
    initStage(ctx, d, opts.network);
    dispatchStage(ctx, d);
  }
}

function finalizeImage(img: Image, platform: { os: string; architecture: string; variant?: string }, labels: ConvertOptions['labels']): Image {
  const out = cloneImage(img);
  if (labels && Object.keys(labels).length > 0) out.config.Labels = { ...out.config.Labels, ...labels };
  out.os = platform.os;
  out.architecture = platform.architecture;
  if (platform.variant) out.variant = platform.variant;
  return out;
}

function baseImageOf(target: DispatchState): Image | null {
  let d: DispatchState = target;
  while (d.base) d = d.base;
  return d.baseImage ? cloneImage(d.baseImage) : null;
}

function stageInfos(ctx: ConvertContext, reachable: ReadonlySet<DispatchState>): StageInfo[] {
  return ctx.states.states
    .filter((d) => d.stage)
    .map((d) => ({ name: d.stage!.name || `stage-${d.stage!.index}`, index: d.stage!.index, base: d.baseName, reachable: reachable.has(d) }));
}

function toMap(args: ConvertOptions['buildArgs']): Map<string, string> {
  if (!args) return new Map();
  if (args instanceof Map) return new Map(args);
  return new Map(Object.entries(args as Record<string, string>));
}

/** SOURCE_DATE_EPOCH from the build args as RFC 3339 (what history `created` gets). */
function sourceDateEpoch(buildArgs: ReadonlyMap<string, string>): string | undefined {
  const v = buildArgs.get('SOURCE_DATE_EPOCH');
  if (v === undefined || v === '') return undefined;
  if (!/^[0-9]+$/.test(v)) throw new Error(`invalid SOURCE_DATE_EPOCH: ${v}`);
  return new Date(Number(v) * 1000).toISOString().replace(/\.000Z$/, 'Z');
}
