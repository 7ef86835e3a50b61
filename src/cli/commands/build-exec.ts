// Runs a converted build: solve the LLB graph with progress, then export the result into
// the outputs (-t → the local store). Ctrl-C / SIGTERM abort the solve (containers killed,
// mounts and temp dirs removed by the ops) and exit 130 / 143.
import { formatSourceSnippet } from '../../frontend/dockerfile/source-snippet.js';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { sourceDateEpoch } from '../../exporters/epoch.js';
import { parseOutput, parseOutputs } from '../../exporters/outputs.js';
import { BuildLease } from '../../solver/build-lease.js';
import { enterCache } from '../../solver/cache/cache-users.js';
import type { ConvertedBuild } from './build-convert-cache.js';
import type { Definition } from '../../llb/types.js';
import { VertexProgress } from '../../solver/progress/events.js';
import type { LayerPreparer } from '../../exporters/prepare-layers.js';
import type { LayerRef } from '../../solver/result.js';
import type { Snapshotter } from '../../solver/snapshot/snapshotter.js';
import { solve, SolveError } from '../../solver/solve.js';
import type { BuildRequest } from './build-options.js';
import type { ExecRequest } from './build-exec-options.js';
import type { BuildProgress } from './build-progress.js';
import { exportBuild } from './build-export-memo.js';
import { openCacheExchange } from './build-cache-exchange.js';
import { writeStderr } from '../stdio.js';

class SignalExit extends Error {
  constructor(readonly signal: NodeJS.Signals, readonly exitCode: number) {
    super(`build canceled (${signal})`);
  }
  format(): string {
    return `ERROR: ${this.message}\n`;
  }
}

/**
 * How a failed step prints, as BuildKit: a box with the step and its last output lines, the
 * Dockerfile lines it came from with the failing one marked, then the error.
 */
export class BuildFailure extends Error {
  readonly exitCode = 1;
  constructor(readonly step: string, message: string, readonly lastOutput: string[], readonly snippet = '') {
    super(message);
  }
  format(): string {
    const box = ['------', ` > ${this.step}:`, ...this.lastOutput, '------'].join('\n');
    return `${box}\n${this.snippet}ERROR: failed to solve: ${this.message}\n`;
  }
}

/** BuildKit's source snippet of the instruction that made the op `digest` (source-snippet.ts). */
export function sourceSnippet(def: Definition, digest: string | undefined): string {
  const loc = digest ? def.source.locations[digest]?.[0] : undefined;
  const info = loc ? def.source.infos[loc.sourceIndex] : undefined;
  if (!info?.data || !loc) return '';
  return formatSourceSnippet(info.filename, info.data, loc.ranges.map((r) => ({ start: r.start.line, end: r.end.line })));
}

export async function executeBuild(req: BuildRequest, exec: ExecRequest, converted: ConvertedBuild, root: string,
  progress: BuildProgress): Promise<void> {
  const outputs = parseOutputs(exec.outputs, { tags: exec.tags, push: exec.push });
  if (outputs.length === 0 && (exec.quiet || exec.iidfile || exec.metadataFile)) outputs.push(parseOutput('type=image'));
  const abort = new AbortController();
  let caught: SignalExit | undefined;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (caught) return;
    caught = new SignalExit(sig, sig === 'SIGINT' ? 130 : 143);
    abort.abort(caught);
  };
  const onInt = (): void => onSignal('SIGINT');
  const onTerm = (): void => onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  const lease = new BuildLease(root);
  let leaveCache: (() => void) | undefined;
  try {
    // A registered user of the build cache: `builder prune` waits for this build, or it for a
    // prune (Ctrl-C ends that wait: the handlers above keep SIGINT from ending the process).
    leaveCache = await enterCache(root, () => writeStderr('waiting for `builder prune` to finish\n'), abort.signal);
    // cache exchange (issue 8): --cache-from sources read (configs only) before the solve.
    const cacheFlags = exec as ExecRequest & { cacheFrom?: string[]; cacheTo?: string[] };
    const cacheX = await openCacheExchange(cacheFlags.cacheFrom ?? [], cacheFlags.cacheTo ?? [], progress.sink);
    const epoch = sourceDateEpoch(req.buildArgs);
    // The target stage's new layers are compressed as their steps finish (not after the solve);
    // a failed or cancelled build abandons them instead of waiting for them before exiting.
    const preparing = new AbortController();
    let preparer: Promise<LayerPreparer | undefined> | undefined;
    const onTargetLayers = (chain: readonly LayerRef[], snapshotter: Snapshotter): void => {
      preparer ??= import('../../exporters/prepare-layers.js').then((m) => m.layerPreparer({
        root, outputs, image: converted.image, ...(epoch !== undefined ? { epoch } : {}), signal: preparing.signal,
      }), () => undefined);
      void preparer.then((prepare) => prepare?.(chain, snapshotter));
    };
    let result;
    try {
      result = await solve(converted.definition, {
        root,
        localDirs: { context: req.contextDir },
        progress: progress.sink,
        signal: abort.signal,
        maxParallelism: exec.maxParallelism,
        runtime: exec.runtime,
        network: exec.network ?? 'host',
        secrets: exec.secrets,
        ssh: exec.ssh,
        noCache: exec.noCache,
        lease,
        explainCache: exec.explainCache,
        steps: converted.steps,
        dockerfile: stepIdentityFile(req),
        ...(cacheX.imported ? { importedCache: cacheX.imported } : {}), // cache exchange (issue 8)
        ...(outputs.length ? { onTargetLayers } : {}),
      });
    } catch (err) {
      preparing.abort();
      progress.finish();
      if (caught) throw caught;
      if (err instanceof SolveError) {
        // The renderer's last lines (`0.123 text`, as BuildKit's box); quiet keeps none, the executor's tail then.
        const shown = err.digest ? progress.lastLines(err.digest) : undefined;
        const cause = err.cause as { lastOutput?: string[] } | undefined;
        throw new BuildFailure(err.vertexName, err.message, shown ?? cause?.lastOutput ?? [], sourceSnippet(converted.definition, err.digest));
      }
      throw err;
    }
    await writeStats(result.stats);
    if (result.ref.kind !== 'layers') throw new Error('the build result is a local directory, not an image');
    const exporting = new VertexProgress(progress.sink, 'exporter', exporterStepName(outputs));
    if (outputs.length) exporting.start();
    // cache exchange (issue 8): what the cache export needs; inline cache goes into the image config.
    const cacheInput = {
      root, definition: converted.definition, vertices: result.vertices, result: result.ref.layers, image: converted.image,
      ...(epoch !== undefined ? { epoch } : {}), ...(outputs[0] ? { compression: outputs[0].compression } : {}),
      ...(outputs[0]?.rewriteTimestamp !== undefined ? { rewriteTimestamp: outputs[0].rewriteTimestamp } : {}),
      ...(cacheX.imported ? { imported: cacheX.imported } : {}), lease,
    };
    const configExtra = await cacheX.inlineExtra(cacheInput);
    const img = outputs.length === 0 ? undefined : await exportBuild({
      root, layers: result.ref.layers, image: converted.image, baseImage: converted.baseImage, outputs,
      ...(epoch !== undefined ? { epoch } : {}),
      ...(configExtra ? { configExtra } : {}), // cache exchange (issue 8)
    });
    if (img) {
      exporting.status(`writing image ${img.imageID} done`);
      for (const n of img.names) exporting.status(`naming to ${n} done`);
    }
    if (outputs.length) exporting.done();
    await cacheX.exportAll(cacheInput); // cache exchange (issue 8)
    progress.finish();
    if (exec.quiet && img) process.stdout.write(`${img.imageID}\n`);
    if (exec.iidfile && img) await writeFile(exec.iidfile, img.imageID);
    if (exec.metadataFile && img) await (await import('../../exporters/metadata.js')).writeMetadataFile(exec.metadataFile, img);
  } finally {
    leaveCache?.();
    await lease.release().catch(() => undefined);
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
}

/** BuildKit's name for the export vertex: a local directory or tarball is the client's. */
function exporterStepName(outputs: readonly { type: string }[]): string {
  if (outputs.length > 0 && outputs.every((o) => o.type === 'local')) return 'exporting to client directory';
  if (outputs.length > 0 && outputs.every((o) => o.type === 'tar')) return 'exporting to client tarball';
  return 'exporting to image';
}

/** Test hook: SLIPWAY_STATS_FILE receives the solve's counters (containers started, cached, executed). */
async function writeStats(stats: object): Promise<void> {
  const file = process.env.SLIPWAY_STATS_FILE;
  if (file) await writeFile(file, JSON.stringify(stats));
}

/**
 * The Dockerfile as --explain-cache's step identities name it: the context directory's own name
 * and the Dockerfile's path inside it, not absolute paths, so a checkout in another directory
 * (CI workspaces move) still finds its steps' previous records, while two projects in one root
 * stay apart.
 */
function stepIdentityFile(req: BuildRequest): string {
  const project = path.basename(path.resolve(req.contextDir));
  if (req.dockerfile === '-') return `${project}/-`;
  const rel = path.relative(req.contextDir, req.dockerfile);
  const name = rel.startsWith('..') || path.isAbsolute(rel) ? path.basename(req.dockerfile) : rel.split(path.sep).join('/');
  return `${project}/${name}`;
}
