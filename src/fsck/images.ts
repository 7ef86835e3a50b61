// Image check: oci-layout and index.json parse, and every image entry reaches existing
// blobs: manifest (or index → child manifests), config, layers.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isIndexType } from '../content/media-types.js';
import { isObject, readJsonFile } from './fs-read.js';
import type { BlobSets } from './blobs.js';
import type { Findings } from './findings.js';

interface Desc {
  mediaType?: string;
  digest: string;
  size?: number;
  urls?: string[];
}

function asDesc(v: unknown): Desc | undefined {
  return isObject(v) && typeof v.digest === 'string' ? (v as unknown as Desc) : undefined;
}

class ImageWalker {
  constructor(
    private readonly root: string,
    private readonly blobs: BlobSets,
    private readonly out: Findings,
  ) {}

  private blobPath(digest: string): string {
    return path.join(this.root, 'store', 'blobs', 'sha256', digest.replace(/^sha256:/, ''));
  }

  /** Reports a missing or wrongly sized blob; true when it is usable. */
  private exists(d: Desc, what: string, from: string): boolean {
    if (!/^sha256:[a-f0-9]{64}$/.test(d.digest)) {
      this.out.add('error', from, `${what} has an invalid digest ${JSON.stringify(d.digest)}`);
      return false;
    }
    if (this.blobs.corrupt.has(d.digest)) return false; // reported by the blob check
    if (!this.blobs.valid.has(d.digest)) {
      // Foreign layers (urls) are not stored locally by design.
      if (d.urls?.length) return false;
      this.out.add('error', from, `${what} ${d.digest} is missing from the content store`);
      return false;
    }
    return true;
  }

  async walk(d: Desc, from: string, depth = 0): Promise<void> {
    if (!this.exists(d, 'manifest', from)) return;
    let json: unknown;
    try {
      json = JSON.parse(await readFile(this.blobPath(d.digest), 'utf8'));
    } catch {
      this.out.add('error', d.digest, 'manifest is not valid JSON');
      return;
    }
    if (!isObject(json)) {
      this.out.add('error', d.digest, 'manifest is not a JSON object');
      return;
    }
    const mediaType = typeof json.mediaType === 'string' ? json.mediaType : d.mediaType ?? '';
    if (isIndexType(mediaType) || Array.isArray(json.manifests)) {
      if (depth > 3) {
        this.out.add('error', d.digest, 'image index nests too deeply');
        return;
      }
      const children = (Array.isArray(json.manifests) ? json.manifests : []).map(asDesc);
      const stored = children.filter((c): c is Desc => c !== undefined && (this.blobs.valid.has(c.digest) || this.blobs.corrupt.has(c.digest)));
      // A pull keeps only the platform it needs: other children may be absent, but not all.
      if (stored.length === 0) this.out.add('error', d.digest, 'image index has none of its manifests in the content store');
      for (const c of stored) await this.walk(c, d.digest, depth + 1);
      return;
    }
    const config = asDesc(json.config);
    if (!config) this.out.add('error', d.digest, 'manifest has no config descriptor');
    else this.exists(config, 'config', d.digest);
    const layers = Array.isArray(json.layers) ? json.layers : [];
    layers.forEach((l, i) => {
      const desc = asDesc(l);
      if (!desc) this.out.add('error', d.digest, `layer ${i} is not a descriptor`);
      else this.exists(desc, `layer ${i}`, d.digest);
    });
  }
}

/** Checks the layout files and every image; returns how many index entries there are. */
export async function checkImages(root: string, blobs: BlobSets, out: Findings): Promise<number> {
  const layout = await readJsonFile<unknown>(path.join(root, 'store', 'oci-layout'));
  if (!layout.ok) {
    if (!layout.missing) out.add('error', 'store/oci-layout', layout.why);
  } else if (!isObject(layout.value) || layout.value.imageLayoutVersion !== '1.0.0') {
    out.add('error', 'store/oci-layout', 'imageLayoutVersion is not "1.0.0"');
  }
  const index = await readJsonFile<unknown>(path.join(root, 'store', 'index.json'));
  if (!index.ok) {
    if (!index.missing) out.add('error', 'store/index.json', index.why);
    return 0;
  }
  if (!isObject(index.value) || !Array.isArray(index.value.manifests)) {
    out.add('error', 'store/index.json', 'has no "manifests" array');
    return 0;
  }
  const walker = new ImageWalker(root, blobs, out);
  const entries = index.value.manifests;
  for (const [i, entry] of entries.entries()) {
    const d = asDesc(entry);
    if (!d) {
      out.add('error', 'store/index.json', `entry ${i} is not a descriptor`);
      continue;
    }
    await walker.walk(d, `store/index.json entry ${i}`);
  }
  return entries.length;
}
