// Which outputs carry image layers, and the mtime clamp their new layers get: shared by the
// image exporter and the layer preparation that runs during the solve (prepare-layers.ts),
// so both produce the same blob.
import type { Image } from '../frontend/dockerfile/image-config.js';
import { defaultCreated, rfc3339ToSeconds } from './image-document.js';
import type { OutputSpec, OutputType } from './outputs.js';

export const IMAGE_OUTPUTS: readonly OutputType[] = ['image', 'registry', 'oci', 'docker'];

/**
 * Seconds new layers' mtimes are clamped to: SOURCE_DATE_EPOCH, else the image's newest
 * history time; none with rewrite-timestamp=false.
 */
export function layerClamp(out: Pick<OutputSpec, 'rewriteTimestamp'>, image: Image, epoch: number | undefined): number | undefined {
  if (out.rewriteTimestamp === false) return undefined;
  return epoch ?? rfc3339ToSeconds(defaultCreated(image));
}
