// `slipway history IMAGE`: the config's history, newest first; only the top row carries the
// image ID (Docker shows `<missing>` for steps it has no local image for).
import type { ImageConfig } from '../../content/descriptor.js';
import { NoSuchImageError } from '../../store/errors.js';
import { uncompressedSize } from '../../store/layer-size.js';
import { displayName } from '../../store/familiar.js';
import { openImageStore } from '../../store/open.js';
import { renderRows } from '../format/render.js';
import { ellipsis } from '../format/table.js';
import { createdSince, humanSize, rfc3339 } from '../format/units.js';
import { shortId } from './images.js';

const HEADERS: Record<string, string> = {
  ID: 'IMAGE',
  CreatedSince: 'CREATED',
  CreatedAt: 'CREATED AT',
  CreatedBy: 'CREATED BY',
  Size: 'SIZE',
  Comment: 'COMMENT',
};

export async function runHistory(
  root: string,
  image: string,
  opts: { trunc?: boolean; quiet?: boolean; format?: string; human?: boolean },
): Promise<void> {
  const store = openImageStore(root);
  const record = await store.resolve(image);
  if (!record) throw new NoSuchImageError(displayName(image));
  const { manifest, config } = await store.load(record);
  const layerSizes: number[] = [];
  for (const l of manifest.layers) layerSizes.push(await uncompressedSize(root, store.content, l));
  const trunc = opts.trunc !== false;
  const human = opts.human !== false;
  const steps = historySteps(config, layerSizes);
  const rows = steps.reverse().map((h, i) => {
    const createdBy = (h.createdBy ?? '').replace(/\t/g, ' ');
    return {
      ID: i === 0 ? shortId(record.id, trunc) : '<missing>',
      // docker/cli historyContext: --human=false prints RFC 3339 times and byte counts.
      CreatedSince: human ? createdSince(h.created) || 'N/A' : rfc3339(h.created),
      CreatedAt: rfc3339(h.created),
      CreatedBy: trunc ? ellipsis(createdBy, 45) : createdBy,
      Size: human ? humanSize(h.size, 3) : String(h.size),
      Comment: h.comment ?? '',
    };
  });
  let format = opts.format;
  if (opts.quiet) format = '{{.ID}}';
  process.stdout.write(
    renderRows(rows, {
      format,
      defaultFormat: 'table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}',
      headers: HEADERS,
    }),
  );
}

interface Step {
  created?: string;
  createdBy?: string;
  comment?: string;
  size: number;
}

/** History entries oldest first, each non-empty one paired with its layer's size. */
function historySteps(config: ImageConfig, layerSizes: number[]): Step[] {
  const history = config.history ?? [];
  if (history.length === 0) return layerSizes.map((size) => ({ ...(config.created ? { created: config.created } : {}), size }));
  let layer = 0;
  return history.map((h) => {
    const size = h.empty_layer ? 0 : (layerSizes[layer++] ?? 0);
    return {
      ...(h.created !== undefined ? { created: h.created } : {}),
      ...(h.created_by !== undefined ? { createdBy: h.created_by } : {}),
      ...(h.comment !== undefined ? { comment: h.comment } : {}),
      size,
    };
  });
}
