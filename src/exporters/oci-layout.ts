// type=oci: an OCI image layout (oci-layout, index.json, blobs/sha256/…) as a tar or, with
// tar=false, a directory. Blobs are copied as stored (compressed). Each name gets an
// index.json entry annotated like BuildKit's: io.containerd.image.name (full reference) and
// org.opencontainers.image.ref.name (the tag).
import { copyFile, mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Writable } from 'node:stream';
import type { Descriptor, ImageIndex } from '../content/descriptor.js';
import { parseDigest } from '../content/digest.js';
import { MediaType } from '../content/media-types.js';
import type { ContentStore } from '../content/store.js';
import { compareNames } from '../context/go-strings.js';
import { parseReference } from '../registry/reference.js';
import { IMAGE_NAME, REF_NAME } from '../store/annotations.js';
import { writeFileAtomic } from '../store/atomic-file.js';
import { writeToDest } from './destination.js';
import { goJSON, sortedRecord } from './stable-json.js';
import { addEntry, streamEntry, writeTar } from '../store/tar-pack.js';

const OCI_LAYOUT = '{"imageLayoutVersion":"1.0.0"}';

export interface LayoutImage {
  manifest: Descriptor;
  /** Every blob the manifest references, and the manifest itself. */
  blobs: Descriptor[];
  names: string[];
  descriptorAnnotations?: Record<string, string>;
  indexAnnotations?: Record<string, string>;
}

/** index.json entries for the image: one per name, or one without names. */
export function indexEntries(img: LayoutImage): Descriptor[] {
  const base = { mediaType: img.manifest.mediaType, digest: img.manifest.digest, size: img.manifest.size };
  const extra = img.descriptorAnnotations ?? {};
  if (img.names.length === 0) return [Object.keys(extra).length ? { ...base, annotations: sortedRecord(extra) } : base];
  return img.names.map((name) => {
    const ref = parseReference(name);
    return { ...base, annotations: sortedRecord({ ...extra, [IMAGE_NAME]: ref.toString(), [REF_NAME]: ref.tag ?? 'latest' }) };
  });
}

function indexJSON(manifests: Descriptor[], annotations?: Record<string, string>): string {
  const doc: Record<string, unknown> = { schemaVersion: 2, mediaType: MediaType.OCI_INDEX, manifests };
  if (annotations && Object.keys(annotations).length) doc.annotations = sortedRecord(annotations);
  return goJSON(doc);
}

function uniqueBlobs(blobs: Descriptor[]): Descriptor[] {
  const seen = new Map<string, Descriptor>();
  for (const b of blobs) seen.set(b.digest, b);
  return [...seen.values()].sort((a, b) => compareNames(a.digest, b.digest));
}

/** The layout as a tar into `dest` (a file or `-`). */
export async function writeOciTar(content: ContentStore, img: LayoutImage, dest: string, stdout: Writable): Promise<void> {
  await writeToDest(dest, stdout, (out) => writeTar(out, async (pack) => {
    await addEntry(pack, { name: 'blobs/', type: 'directory', mode: 0o755 });
    await addEntry(pack, { name: 'blobs/sha256/', type: 'directory', mode: 0o755 });
    for (const b of uniqueBlobs(img.blobs)) {
      await streamEntry(pack, { name: `blobs/sha256/${parseDigest(b.digest).hex}`, size: b.size }, content.openRead(b.digest));
    }
    await addEntry(pack, { name: 'oci-layout' }, Buffer.from(OCI_LAYOUT));
    await addEntry(pack, { name: 'index.json' }, Buffer.from(indexJSON(indexEntries(img), img.indexAnnotations)));
  }));
}

/**
 * The layout as a directory. An existing layout is added to: entries with the same name are
 * replaced, others kept (so several images can share one layout directory).
 */
export async function writeOciDir(content: ContentStore, img: LayoutImage, dest: string): Promise<void> {
  const blobsDir = path.join(dest, 'blobs', 'sha256');
  await mkdir(blobsDir, { recursive: true });
  for (const b of uniqueBlobs(img.blobs)) {
    const target = path.join(blobsDir, parseDigest(b.digest).hex);
    const have = await stat(target).then((s) => s.size, () => -1);
    if (have !== b.size) await copyFile(content.path(b.digest), target);
  }
  await writeFileAtomic(path.join(dest, 'oci-layout'), OCI_LAYOUT);
  let existing: Descriptor[] = [];
  let annotations = img.indexAnnotations;
  try {
    const old = JSON.parse(await readFile(path.join(dest, 'index.json'), 'utf8')) as ImageIndex;
    existing = Array.isArray(old.manifests) ? old.manifests : [];
    annotations = { ...old.annotations, ...annotations };
  } catch {
    existing = [];
  }
  const mine = indexEntries(img);
  const names = new Set(mine.map((e) => e.annotations?.[IMAGE_NAME]).filter((n) => n !== undefined));
  const kept = existing.filter((e) => {
    const n = e.annotations?.[IMAGE_NAME];
    return n !== undefined ? !names.has(n) : e.digest !== img.manifest.digest;
  });
  await writeFileAtomic(path.join(dest, 'index.json'), indexJSON([...kept, ...mine], annotations));
}
