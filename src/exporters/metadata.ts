// What `--metadata-file` and `--iidfile` get after an image export (buildx's keys).
import type { Descriptor } from '../content/descriptor.js';
import { writeFileAtomic } from '../store/atomic-file.js';

export interface ExportedImage {
  manifestDescriptor: Descriptor;
  configDescriptor: Descriptor;
  /** The image ID: the config digest. */
  imageID: string;
  /** Names the image was exported under. */
  names: string[];
}

/** The `--metadata-file` JSON object. */
export function metadataFileContent(img: ExportedImage): Record<string, unknown> {
  const out: Record<string, unknown> = {
    'containerimage.config.digest': img.configDescriptor.digest,
    'containerimage.descriptor': {
      mediaType: img.manifestDescriptor.mediaType,
      digest: img.manifestDescriptor.digest,
      size: img.manifestDescriptor.size,
      ...(img.manifestDescriptor.annotations ? { annotations: img.manifestDescriptor.annotations } : {}),
    },
    'containerimage.digest': img.manifestDescriptor.digest,
  };
  if (img.names.length) out['image.name'] = img.names.join(',');
  return out;
}

/** The `--iidfile` text: the image ID (config digest), as docker build writes it. */
export function iidfileContent(img: ExportedImage): string {
  return img.imageID;
}

/** Writes `--metadata-file` (pretty JSON, like buildx). */
export async function writeMetadataFile(file: string, img: ExportedImage): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(metadataFileContent(img), null, 2)}\n`);
}

/** Writes `--iidfile` (no trailing newline, like docker build). */
export async function writeIidFile(file: string, img: ExportedImage): Promise<void> {
  await writeFileAtomic(file, iidfileContent(img));
}
