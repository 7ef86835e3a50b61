// Step 1 of a solve: every vertex's cache key, in topological order, with the basis it was
// computed from (for --explain-cache), its step identity and whether it bypasses the cache.
import { SourceAttr } from '../../llb/source-attrs.js';
import type { StepInfo } from '../../frontend/dockerfile/convert/options.js';
import { describeOp } from '../../llb/describe.js';
import { CUSTOM_NAME_KEY, type Digest, type Op, type OpMetadata } from '../../llb/types.js';
import { ChecksumNotFoundError } from '../contenthash/checksum.js';
import { StatCache } from '../contenthash/stat-cache.js';
import type { BuildEnv } from '../ops/context.js';
import { solveLocal } from '../ops/local.js';
import { VertexProgress, type ProgressSink } from '../progress/events.js';
import type { SolvedRef } from '../result.js';
import type { BuildGraph } from '../scheduler/graph.js';
import { type CacheBasis, hashBuildArgs } from './basis.js';
import { opCacheDigest, outputKey, selectionsFromLocal, vertexKey } from './keys.js';
import type { CacheRecord } from './records.js';

export interface VertexInfo {
  digest: Digest;
  op: Op;
  name: string;
  key: string;
  basis: CacheBasis;
  /** Dockerfile + stage + position (or the progress name): where --explain-cache looks. */
  identity: string;
  record?: CacheRecord;
  ignoreCache: boolean;
  /** Set when the vertex itself is not ignored but an input re-runs without the cache. */
  taintedBy?: string;
  progress: VertexProgress;
}

/** A failure while computing a vertex's key (e.g. a missing COPY source). */
export class KeyError extends Error {
  constructor(readonly vertexName: string, readonly digest: Digest, cause: unknown) {
    const msg = cause instanceof ChecksumNotFoundError ? `failed to calculate checksum of ref: ${cause.message}` : (cause as Error).message;
    super(`failed to compute cache key: ${msg}`, { cause });
  }
}

export interface KeyOptions {
  root: string;
  sink: ProgressSink;
  noCache: boolean;
  steps: readonly StepInfo[];
  dockerfile: string;
}

const isSource = (op: Op): boolean => op.kind === 'source';

export function vertexName(op: Op, meta: OpMetadata | undefined): string {
  return meta?.description?.[CUSTOM_NAME_KEY] ?? describeOp(op, meta);
}

export async function computeVertexInfos(g: BuildGraph, metadata: Record<Digest, OpMetadata>, env: BuildEnv, opts: KeyOptions):
  Promise<{ infos: Map<Digest, VertexInfo>; stepsByDigest: Map<string, { step: StepInfo; ordinal: number }> }> {
    const statCaches = new Map<string, StatCache>();
    const statCacheFor = async (dir: string): Promise<StatCache> => {
      let c = statCaches.get(dir);
      if (!c) statCaches.set(dir, (c = await StatCache.forScope(opts.root, dir)));
      return c;
    };
    const stepsByDigest = new Map<string, { step: StepInfo; ordinal: number }>();
    const perStage = new Map<string, number>();
    for (const s of opts.steps) {
      const n = perStage.get(s.stage) ?? 0;
      perStage.set(s.stage, n + 1);
      stepsByDigest.set(s.digest, { step: s, ordinal: n });
    }

    // Local sources are cheap to "solve" and needed for the checksums.
    const infos = new Map<Digest, VertexInfo>();
    const locals = new Map<Digest, SolvedRef>();
    for (const d of g.order) {
      const op = g.ops.get(d)!;
      const meta = metadata[d];
      const name = vertexName(op, meta);
      const progress = new VertexProgress(opts.sink, d, name);
      const basis: CacheBasis = { opDigest: opCacheDigest(op, d), inputKeys: [], inputNames: [], contextFiles: {}, buildArgs: {} };
      const content: string[] = [];
      try {
        if (op.kind === 'source' && op.source.identifier.startsWith('local://')) locals.set(d, solveLocal(env, op.source));
        if (op.kind === 'source' && /^https?:\/\//.test(op.source.identifier)) {
          // A pinned checksum is the key as it is (BuildKit's HTTP source does not fetch for it):
          // a cached ADD --checksum=<d> <url> makes no request. Else the content's digest.
          const pinned = op.source.attrs[SourceAttr.HTTPChecksum];
          // Loaded only for ADD <url>: the HTTP client pulls in node:https and node:tls.
          content.push(`http:${pinned || (await (await import('../ops/http.js')).fetchHTTP(env, op.source)).digest}`);
        }
        if (op.kind === 'source' && op.source.identifier.startsWith('git://')) {
          // The commit the ref names now (ls-remote), as BuildKit's git source keys it: a moved
          // branch or tag is another key, not the clone cached for the old commit.
          const { parseGitIdentifier, resolveGitSource } = await import('../ops/git.js');
          const { remote, ref } = parseGitIdentifier(op.source.identifier, op.source.attrs[SourceAttr.GitFullURL]);
          content.push(`git:${(await resolveGitSource(env, remote, ref)).sha}`);
        }
        if (op.kind === 'source' && op.source.identifier.startsWith('docker-image://')) {
          basis.baseImage = /@(sha256:[0-9a-f]{64})$/.exec(op.source.identifier)?.[1];
        }
        for (const [i, inp] of op.inputs.entries()) {
          const local = locals.get(inp.digest);
          const dep = infos.get(inp.digest)!;
          basis.inputNames.push(dep.name);
          if (local && local.kind === 'local') {
            const sel = await selectionsFromLocal(op, i, local, await statCacheFor(local.dir));
            content.push(...sel.digests.map((s) => `${i}:${s}`));
            Object.assign(basis.contextFiles, sel.files);
            basis.inputKeys.push('');
          } else {
            basis.inputKeys.push(outputKey(dep.key, inp.index));
          }
        }
      } catch (err) {
        const e = new KeyError(name, d, err);
        progress.start();
        progress.error(e.message);
        throw e;
      }
      // Steps inherit their stage's base image, so a miss can name a changed base.
      const first = op.inputs[0];
      if (!basis.baseImage && first) basis.baseImage = infos.get(first.digest)?.basis.baseImage;
      const step = stepsByDigest.get(d);
      if (step) basis.buildArgs = hashBuildArgs(step.step.buildArgs);
      const identity = step
        ? `${opts.dockerfile}|${step.step.stage}|${step.ordinal}`
        : `${opts.dockerfile}|${name.replace(/@sha256:[0-9a-f]{64}/g, '')}`;
      const ignored = !isSource(op) && (opts.noCache || meta?.ignoreCache === true);
      // What consumes a result made without the cache runs again too (as with --no-cache),
      // so --no-cache-filter=STAGE re-runs that stage even when later steps were cached.
      const taint = ignored ? undefined : op.inputs.map((i) => infos.get(i.digest)!).find((x) => x.ignoreCache);
      infos.set(d, {
        digest: d, op, name, key: vertexKey(basis.opDigest, basis.inputKeys, content), basis, identity,
        ignoreCache: ignored || taint !== undefined, progress,
        ...(taint ? { taintedBy: taint.taintedBy ?? taint.name } : {}),
      });
    }
    await Promise.all([...statCaches.values()].map((c) => c.save().catch(() => undefined)));
  return { infos, stepsByDigest };
}
