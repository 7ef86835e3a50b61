// Exporting a result the store already holds under every requested name changes nothing,
// so a fully cached build skips the exporter (and the tar/compression code it loads): a
// record under <root>/cache/exports/ maps (layers, image config, outputs, epoch) to the
// image last exported for them, trusted only while each name still points at it.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ContentStore } from '../../content/store.js';
import type { ExportedImage } from '../../exporters/metadata.js';
import type { OutputSpec } from '../../exporters/outputs.js';
import type { Image } from '../../frontend/dockerfile/image-config.js';
import type { LayerRef } from '../../solver/result.js';
import { writeFileAtomic } from '../../store/atomic-file.js';
import { ImageStore } from '../../store/image-store.js';

export interface ExportRequest {
  root: string;
  layers: readonly LayerRef[];
  image: Image;
  baseImage: Image | null;
  outputs: readonly OutputSpec[];
  epoch?: number;
  /** cache exchange (issue 8): extra image config fields (inline cache). */
  configExtra?: Record<string, unknown>;
}

/** Only plain store outputs can be answered from the memo: anything else writes elsewhere. */
function memoizable(outputs: readonly OutputSpec[]): boolean {
  return outputs.length > 0 && outputs.every((o) => o.type === 'image' && !o.push && o.store);
}

function memoPath(req: ExportRequest): string {
  const key = createHash('sha256').update(JSON.stringify({
    v: 1, code: import.meta.url, layers: req.layers.map((l) => l.snapshotId), image: req.image, base: req.baseImage,
    outputs: req.outputs, epoch: req.epoch ?? null, configExtra: req.configExtra ?? null, // cache exchange (issue 8)
  })).digest('hex');
  return path.join(req.root, 'cache', 'exports', `${key}.json`);
}

async function fromMemo(req: ExportRequest, file: string): Promise<ExportedImage | undefined> {
  let img: ExportedImage;
  try {
    img = JSON.parse(readFileSync(file, 'utf8')) as ExportedImage; // small: no thread-pool round trip
  } catch {
    return undefined;
  }
  const content = new ContentStore(req.root);
  const images = new ImageStore(req.root, content);
  const digest = img.manifestDescriptor?.digest;
  if (!digest || !(await content.has(digest))) return undefined;
  for (const name of img.names) {
    if ((await images.resolve(name).catch(() => undefined))?.target.digest !== digest) return undefined;
  }
  return img;
}

/** Exports through src/exporters unless the memo shows the store already has exactly this. */
export async function exportBuild(req: ExportRequest): Promise<ExportedImage | undefined> {
  const memo = memoizable(req.outputs) ? memoPath(req) : undefined;
  if (memo) {
    const hit = await fromMemo(req, memo);
    if (hit) return hit;
  }
  const { exportImage, exportedImage } = await import('../../exporters/export-image.js');
  const exported = await exportImage({
    root: req.root, layers: req.layers, image: req.image, baseImage: req.baseImage, outputs: req.outputs,
    ...(req.epoch !== undefined ? { epoch: req.epoch } : {}),
    ...(req.configExtra ? { configExtra: req.configExtra } : {}), // cache exchange (issue 8)
  });
  const img = exportedImage(exported);
  // A memo (no fsync): lost or unreadable after a power cut, the next build exports again.
  if (memo && img) await writeFileAtomic(memo, JSON.stringify(img), { durable: false }).catch(() => undefined);
  return img;
}
