// cache exchange (issue 8): the build command's side of --cache-from / --cache-to. Sources are
// opened (manifest + cache config only) before the solve; exports run after the image export,
// except type=inline, whose metadata must go into the image config.
import type { ImportedCache } from '../../solver/cache/remote/imported-cache.js';
import type { CacheExportInput } from '../../solver/cache/remote/exchange.js';
import { parseCacheFrom, parseCacheTo, type CacheExportSpec } from '../../solver/cache/remote/spec.js';
import { VertexProgress, type ProgressSink } from '../../solver/progress/events.js';

export interface CacheExchange {
  imported?: ImportedCache;
  /** The image config field for type=inline (undefined without it). */
  inlineExtra(input: CacheExportInput): Promise<Record<string, unknown> | undefined>;
  /** Writes every registry/local export. */
  exportAll(input: CacheExportInput): Promise<void>;
}

export async function openCacheExchange(from: readonly string[], to: readonly string[], sink: ProgressSink): Promise<CacheExchange> {
  // Specs are checked before anything runs: a typo fails the build at once.
  const imports = from.map(parseCacheFrom);
  const exports: CacheExportSpec[] = to.map(parseCacheTo);
  const lazy = () => import('../../solver/cache/remote/exchange.js');
  let imported: ImportedCache | undefined;
  if (imports.length) {
    const names = imports.map((s) => (s.type === 'local' ? s.src : s.ref));
    const step = new VertexProgress(sink, 'cache-import', `importing cache manifest from ${names.join(', ')}`);
    step.start();
    imported = await (await lazy()).importCaches(imports, (m) => step.status(`WARNING: ${m}`));
    step.done();
  }
  return {
    ...(imported ? { imported } : {}),
    async inlineExtra(input) {
      if (!exports.some((e) => e.type === 'inline')) return undefined;
      return (await lazy()).inlineCacheExtra(input);
    },
    async exportAll(input) {
      for (const spec of exports) {
        if (spec.type === 'inline') continue;
        const step = new VertexProgress(sink, `cache-export-${spec.type === 'local' ? spec.dest : spec.ref}`,
          `exporting cache to ${spec.type === 'local' ? `client directory ${spec.dest}` : `registry ${spec.ref}`}`);
        step.start();
        step.status('preparing build cache for export');
        try {
          const digest = await (await lazy()).exportCache(spec, input);
          step.status(`writing cache manifest ${digest} done`);
          step.done();
        } catch (err) {
          // ignore-error=true (buildx): a cache that cannot be written does not fail the build.
          if (spec.ignoreError) {
            step.status(`WARNING: failed to export cache: ${(err as Error).message}`);
            step.done();
            continue;
          }
          step.error((err as Error).message);
          throw err;
        }
      }
    },
  };
}
