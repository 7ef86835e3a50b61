// `slipway build`: reads the Dockerfile and .dockerignore, converts to LLB, then prints the
// graph (--print-llb) or solves and exports it (build-exec.ts).
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { Command } from 'commander';
import type { ConvertOptions, ConvertResult, ConvertWarning } from '../../frontend/dockerfile/convert/index.js';
import type { Image } from '../../frontend/dockerfile/image-config.js';
import { ContentStore } from '../../content/store.js';
import { ImageStore } from '../../store/image-store.js';
import { convertCacheKey, loadConverted, saveConverted, type BaseResolution, type ConvertedBuild } from './build-convert-cache.js';
import { globalsOf } from '../context.js';
import { UsageError } from '../errors.js';
import { type BuildRequest, parseBuildFlags, withContextDir } from './build-options.js';
import type { ContextSpec } from '../../context/remote/context-spec.js';
import { checkEntitlements } from './build-entitlements.js';
import { sourceDateEpoch } from '../../exporters/epoch.js';
import { readDockerignore } from './build-dockerignore.js';
import { formatWarnings } from './build-warnings.js';
import { formatCheckResult, parseCall } from './build-check.js';
import { writeStderr } from '../stdio.js';
import { parseExecFlags } from './build-exec-options.js';
import { createProgress, internalStep, metadataStep, timedStep } from './build-progress.js';
import type { ProgressSink } from '../../solver/progress/events.js';

export async function runBuild(context: string | undefined, raw: Record<string, unknown>, cmd: Command): Promise<void> {
  let req = parseBuildFlags(context, raw);
  const exec = parseExecFlags(raw);
  const { root } = globalsOf(cmd);
  // Usage errors come before any progress output.
  if (req.context.kind === 'missing') throw new UsageError(`unable to prepare context: path ${JSON.stringify(req.context.path)} not found`);
  if (!req.printLLB && (exec.outputs.length || exec.push)) {
    const { parseOutputs } = await import('../../exporters/outputs.js');
    parseOutputs(exec.outputs, { tags: exec.tags, push: exec.push });
  }
  if (exec.insecureRegistries.length) (await import('../../registry/hosts.js')).addInsecureRegistries(exec.insecureRegistries);
  // buildx hands SOURCE_DATE_EPOCH from the environment to the build as a build arg.
  const epochEnv = process.env.SOURCE_DATE_EPOCH;
  if (epochEnv !== undefined && !req.buildArgs.has('SOURCE_DATE_EPOCH')) req.buildArgs.set('SOURCE_DATE_EPOCH', epochEnv);
  sourceDateEpoch(req.buildArgs); // a malformed value is a usage error before anything runs
  const call = parseCall(typeof raw.call === 'string' ? raw.call : undefined, raw.check === true);
  const progress = req.printLLB ? undefined : await createProgress(exec.progress);
  let cleanup: (() => Promise<void>) | undefined;
  try {
    if (req.context.kind !== 'local') {
      const spec = req.context;
      const { prepareRemoteContext } = await import('../../context/remote/prepare-context.js');
      const keepGitDir = /^(1|true)$/i.test(req.buildArgs.get('BUILDKIT_CONTEXT_KEEP_GIT_DIR') ?? '');
      const fetchIt = () => prepareRemoteContext(spec, root, { stdin: process.stdin, keepGitDir });
      const prepared = progress ? await timedStep(progress.sink, `internal:context`, contextStepName(spec), fetchIt) : await fetchIt();
      cleanup = prepared.cleanup;
      if (prepared.dockerfileText !== undefined && req.file !== undefined) {
        throw new UsageError(spec.kind === 'stdin' ? 'ambiguous Dockerfile source: both stdin and flag correspond to Dockerfiles'
          : `ambiguous Dockerfile source: both ${spec.kind === 'http' ? 'the URL' : 'the context'} and -f name a Dockerfile`);
      }
      req = withContextDir(req, prepared.dir, prepared.dockerfileText);
    }
    const result = await convert(req, root, {
      noCache: exec.noCache ? true : exec.noCacheFilter.length ? exec.noCacheFilter : false,
      ...(exec.network ? { network: exec.network } : {}),
      labels: exec.labels,
      imageResolveMode: exec.pull ? 'pull' : 'default',
      ...(exec.extraHosts.length ? { extraHosts: exec.extraHosts } : {}),
      ...(exec.ulimits.length ? { ulimits: exec.ulimits } : {}),
      ...(exec.shmSize ? { shmSize: exec.shmSize } : {}),
      // BuildKit's lint covers every stage unless a target is named.
      ...(call.name === 'check' && !req.target ? { allStages: true } : {}),
    }, progress?.sink).catch((err: unknown) => {
      // check=error=true: buildx lists the warnings, then a blank line, then the error.
      if (call.name === 'check' && err instanceof Error && err.name === 'LintViolationError') {
        const e = err as Error & { warnings: ConvertWarning[]; sources: Map<string, string> };
        progress?.finish();
        process.stdout.write(`${formatCheckResult(e.warnings, e.sources).text}\n`);
      }
      throw err;
    });
    if (!progress) {
      writeStderr(formatWarnings(result.warnings));
      // Loaded only for --print-llb: every real build would otherwise pay for initialising them.
      const text = req.printLLB === 'dot'
        ? (await import('../../llb/print-dot.js')).definitionToDot(result.definition)
        : (await import('../../llb/print-json.js')).definitionToJSON(result.definition);
      process.stdout.write(text);
      return;
    }
    if (call.name === 'check') {
      progress.finish();
      const sources = new Map(result.definition.source.infos.map((i) => [i.filename, i.data ?? '']));
      const report = formatCheckResult(result.warnings, sources);
      process.stdout.write(report.text);
      if (report.status !== 0 && !call.ignoreStatus) process.exitCode = report.status;
      return;
    }
    checkEntitlements(result.definition, exec.allow, exec.network);
    const { executeBuild } = await import('./build-exec.js');
    await executeBuild(req, exec, result, root, progress);
    if (exec.progress !== 'quiet') writeStderr(formatWarnings(result.warnings));
  } catch (err) {
    progress?.finish();
    throw err;
  } finally {
    await flushMemoWrite();
    await cleanup?.().catch(() => undefined);
  }
}

/** The conversion memo's write, while it waits (see convert(); one build per process). */
let memoWrite: { write: () => Promise<void>; timer: NodeJS.Timeout } | undefined;
const MEMO_WRITE_DELAY_MS = 40;

async function flushMemoWrite(): Promise<void> {
  const pending = memoWrite;
  memoWrite = undefined;
  if (!pending) return;
  clearTimeout(pending.timer);
  await pending.write();
}

function contextStepName(spec: Exclude<ContextSpec, { kind: 'local' | 'missing' }>): string {
  switch (spec.kind) {
    case 'git': return `[internal] load git source ${spec.url}`;
    case 'http': return `[internal] load remote build context ${spec.url}`;
    case 'stdin': return '[internal] load build context from standard input';
  }
}

/** Conversion settings that come from the execution flags. */
export type ConvertExtras = Pick<ConvertOptions, 'noCache' | 'network' | 'labels' | 'imageResolveMode' | 'extraHosts' | 'ulimits' | 'shmSize' | 'allStages'>;

export async function convert(req: BuildRequest, root: string, extras: ConvertExtras, progress: ProgressSink): Promise<ConvertedBuild>;
export async function convert(req: BuildRequest, root: string, extras?: ConvertExtras, progress?: ProgressSink): Promise<ConvertResult | ConvertedBuild>;
export async function convert(req: BuildRequest, root: string, extras: ConvertExtras = {}, progress?: ProgressSink): Promise<ConvertResult | ConvertedBuild> {
  let text: string;
  try {
    text = req.dockerfileText ?? (req.dockerfile === '-' ? await readStdin() : await readFile(req.dockerfile, 'utf8'));
  } catch (err) {
    throw new UsageError(`failed to read dockerfile ${req.dockerfile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  // A Dockerfile from stdin has no <name>.dockerignore (buildx writes it to a temp dir): the context's .dockerignore only.
  const dockerignore = await readDockerignore(req.contextDir, req.dockerfile === '-' ? undefined : req.dockerfile);
  if (progress) {
    internalStep(progress, 'internal:dockerfile', `[internal] load build definition from ${path.basename(req.dockerfileName)}`,
      `transferring dockerfile: ${Buffer.byteLength(text)}B done`);
    internalStep(progress, 'internal:dockerignore', '[internal] load .dockerignore', 'transferring context: 2B done');
  }
  const options = {
    ...extras, file: req.dockerfileName, target: req.target, buildArgs: req.buildArgs, platform: req.platform, dockerignore,
  };
  // Builds (not --print-llb) reuse a memoized conversion while their bases are unchanged.
  const memoKey = progress ? convertCacheKey({ text, ...options, buildArgs: [...req.buildArgs] }) : undefined;
  if (memoKey) {
    const images = new ImageStore(root, new ContentStore(root));
    const hit = await loadConverted(root, memoKey, async (ref) => (await images.resolve(ref))?.target.digest);
    if (hit) {
      for (const ref of new Set(hit.bases.map((b) => b.ref))) await metadataStep(progress!, ref, async () => undefined);
      return hit.result;
    }
  }
  // The bases' lookups go out first, to overlap loading and running the converter.
  const early = progress && !req.platform && extras.imageResolveMode !== 'pull'
    ? new (await import('./build-base-prefetch.js')).BasePrefetch(text, req.target, root) : undefined;
  await early?.underway();
  // A build whose definition changed will most likely run something: the mount/xattr helper
  // (perl) starts now and is ready by the time the solver needs it, instead of after the
  // conversion. A fully cached build (the memo hit above) never starts it.
  if (progress) void import('../../solver/sys/sys-helper.js').then((m) => m.warmSysHelper(), () => undefined);
  const [{ convertDockerfile }, { resolveImageConfig }] = await Promise.all([
    import('../../frontend/dockerfile/convert/index.js'), import('../../registry/resolve-config.js'),
  ]);
  // A turn of the event loop with its I/O poll (two check phases have one between them): a
  // registry answer that came meanwhile is handled, its next request sent, before the parse.
  if (early) for (let i = 0; i < 2; i++) await new Promise((resolve) => setImmediate(resolve));
  const bases: BaseResolution[] = [];
  const lookup = async (ref: string, platform: Parameters<ConvertOptions['resolveImageConfig']>[1]['platform'], pull: boolean) => {
    const res = await (early?.take(ref, platform, pull) ?? resolveImageConfig(ref, { root, platform, pull }));
    bases.push({ ref, resolveMode: pull ? 'pull' : 'default', digest: res.targetDigest });
    return { ref: res.ref, digest: res.targetDigest, config: res.config as unknown as Image };
  };
  const resolved = new Map<string, ReturnType<typeof lookup>>();
  const result = await convertDockerfile(text, {
    ...options,
    resolveImageConfig: (ref, { platform, resolveMode }) => {
      // One lookup (and one progress vertex) per image, however many stages name it.
      const key = `${ref} ${resolveMode}`;
      let p = resolved.get(key);
      if (!p) {
        const run = () => lookup(ref, platform, resolveMode === 'pull');
        resolved.set(key, (p = progress ? metadataStep(progress, ref, run) : run()));
      }
      return p;
    },
  }).finally(() => early?.abandon()); // what it did not take (e.g. it failed first) is not waited for
  // Only later builds read it, and writing it is synchronous work (~3 ms): it waits a little,
  // for the solve's first idle stretch (a container running, a download), and runBuild writes
  // it before it returns if it is still waiting then.
  if (memoKey) {
    memoWrite = {
      write: () => saveConverted(root, memoKey, bases, result).catch(() => undefined),
      timer: setTimeout(() => void flushMemoWrite(), MEMO_WRITE_DELAY_MS),
    };
  }
  return result;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
