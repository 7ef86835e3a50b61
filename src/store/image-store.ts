// The local image store: `<root>/store/index.json` of an OCI image layout, one entry per name
// (annotations in ./annotations.ts) plus name-less entries for dangling images. Every change
// is a read-modify-write of index.json under `<root>/store/index.lock`, written atomically,
// so concurrent processes never lose each other's entries.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { ContentStore } from '../content/store.js';
import type { Descriptor, ImageIndex, ImageManifest } from '../content/descriptor.js';
import { isIndexType, MediaType } from '../content/media-types.js';
import { compareNames } from '../context/go-strings.js';
import { parseReference, type Reference } from '../registry/reference.js';
import { FROM_REGISTRY, IMAGE_CREATED, IMAGE_ID, IMAGE_NAME, REF_NAME, TAG_TIME } from './annotations.js';
import { writeFileAtomic } from './atomic-file.js';
import { loadImage, readJsonBlob, type LoadedImage } from './image-content.js';
import type { ImageRecord } from './image-record.js';
import { leasedDigests } from './leases.js';
import { forgetUncompressedSize } from './layer-size.js';
import { withFileLock } from './lock.js';

/** Leased blobs up to this size are looked into for children (manifests are far smaller). */
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export interface TagOptions {
  /** The manifest was pulled from the registry under this name: record a RepoDigest. */
  fromRegistry?: boolean;
  /** The image's ID and created time when the caller has them (else read from its config). */
  target?: TargetInfo;
  /** index.json is not replaced before this settles (see writeFileAtomic's beforeRename). */
  after?: Promise<unknown>;
}

/** What an index entry records about its image. */
export interface TargetInfo {
  id: string;
  created?: string;
}

export interface GcResult {
  /** Digests of the blobs deleted. */
  deleted: string[];
  /** Bytes freed on disk. */
  reclaimed: number;
}

export class ImageStore {
  readonly storeDir: string;
  readonly indexPath: string;
  readonly lockPath: string;

  constructor(
    readonly root: string,
    readonly content: ContentStore,
  ) {
    this.storeDir = path.join(root, 'store');
    this.indexPath = path.join(this.storeDir, 'index.json');
    this.lockPath = path.join(this.storeDir, 'index.lock');
  }

  /** A synchronous read: a small file, read several times per export. */
  async readIndex(): Promise<ImageIndex> {
    let text: string;
    try {
      text = readFileSync(this.indexPath, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyIndex();
      throw err;
    }
    const index = JSON.parse(text) as ImageIndex;
    if (!Array.isArray(index.manifests)) index.manifests = [];
    return index;
  }

  /** Every image, newest first (Docker's order), names sorted within each. */
  async list(): Promise<ImageRecord[]> {
    const index = await this.readIndex();
    const byTarget = new Map<string, Descriptor[]>();
    for (const entry of index.manifests) {
      const group = byTarget.get(entry.digest) ?? [];
      group.push(entry);
      byTarget.set(entry.digest, group);
    }
    const records: ImageRecord[] = [];
    for (const entries of byTarget.values()) records.push(await this.recordOf(entries));
    // Byte order, not localeCompare: IDs are ASCII hex, and the first localeCompare loads
    // ICU's collator (~7 ms, the largest single cost of a fully cached build).
    return records.sort((a, b) => createdMs(b) - createdMs(a) || compareNames(a.id, b.id));
  }

  /**
   * Finds an image by name (`busybox`, `busybox:1`, `host:5000/x@sha256:…`), full ID
   * (`sha256:…`), manifest digest, or unambiguous ID prefix (`caf6d0c9f0ea`).
   */
  async resolve(nameOrId: string): Promise<ImageRecord | undefined> {
    const records = await this.list();
    if (/^sha256:[a-f0-9]{64}$/.test(nameOrId)) {
      return records.find((r) => r.id === nameOrId) ?? records.find((r) => r.target.digest === nameOrId);
    }
    let ref: Reference | undefined;
    try {
      ref = parseReference(nameOrId);
    } catch {
      ref = undefined;
    }
    if (ref) {
      const byName = matchReference(records, ref);
      if (byName) return byName;
    }
    const m = /^(?:sha256:)?([a-f0-9]{1,64})$/.exec(nameOrId);
    if (m) {
      const hits = records.filter((r) => r.id.slice('sha256:'.length).startsWith(m[1]!));
      // Several manifests may share one config (the OCI and schema2 forms of an image): one ID.
      if (hits.length > 0 && hits.every((r) => r.id === hits[0]!.id)) return hits[0];
    }
    return undefined;
  }

  /**
   * Points `name` at `manifest`. Returns the image that lost the name, if another did (it is
   * kept as a dangling image when nothing else names it).
   */
  async tag(name: string, manifest: Descriptor, opts: TagOptions = {}): Promise<ImageRecord | undefined> {
    opts.after?.catch(() => undefined); // (awaited by update())
    const ref = parseReference(name);
    const fullName = ref.toString();
    // Re-tagging what a name already points at (every fully cached build does it) changes
    // nothing: skip the lock and the index rewrite.
    const current = (await this.readIndex()).manifests.find((e) => e.annotations?.[IMAGE_NAME] === fullName);
    const wasPulled = current?.digest === manifest.digest && current.annotations?.[FROM_REGISTRY] === 'true';
    if (current?.digest === manifest.digest && (wasPulled || !opts.fromRegistry)) return undefined;
    const info = opts.target ?? await this.describeTarget(manifest);
    return this.update(opts.after, async (entries) => {
      const i = entries.findIndex((e) => e.annotations?.[IMAGE_NAME] === fullName);
      const previous = i >= 0 ? entries[i] : undefined;
      if (i >= 0) entries.splice(i, 1);
      const annotations: Record<string, string> = { [IMAGE_NAME]: fullName, [IMAGE_ID]: info.id, [TAG_TIME]: new Date().toISOString() };
      if (ref.tag !== undefined) annotations[REF_NAME] = ref.tag;
      if (info.created !== undefined) annotations[IMAGE_CREATED] = info.created;
      if (opts.fromRegistry) annotations[FROM_REGISTRY] = 'true';
      removeDangling(entries, manifest.digest);
      entries.push({ ...plainDescriptor(manifest), annotations });
      if (!previous || previous.digest === manifest.digest) return undefined;
      const prevRecord = await this.recordOf([previous]);
      if (!entries.some((e) => e.digest === previous.digest)) entries.push(danglingEntry(previous));
      return prevRecord;
    });
  }

  /** Records an image without a name (a dangling image), unless it already has an entry. */
  async addUntagged(manifest: Descriptor, opts: Omit<TagOptions, 'fromRegistry'> = {}): Promise<void> {
    opts.after?.catch(() => undefined); // (awaited by update())
    const info = opts.target ?? await this.describeTarget(manifest);
    await this.update(opts.after, (entries) => {
      if (entries.some((e) => e.digest === manifest.digest)) return;
      const annotations: Record<string, string> = { [IMAGE_ID]: info.id };
      if (info.created !== undefined) annotations[IMAGE_CREATED] = info.created;
      entries.push({ ...plainDescriptor(manifest), annotations });
    });
  }

  /**
   * Removes one name. With `keepDangling`, an image left without names stays as a dangling
   * entry; otherwise it is gone from the index (its blobs go at the next gc()).
   */
  async untag(name: string, opts: { keepDangling?: boolean } = {}): Promise<boolean> {
    const fullName = parseReference(name).toString();
    return this.update(undefined, (entries) => {
      const i = entries.findIndex((e) => e.annotations?.[IMAGE_NAME] === fullName);
      if (i < 0) return false;
      const [removed] = entries.splice(i, 1);
      if (opts.keepDangling && removed && !entries.some((e) => e.digest === removed.digest)) entries.push(danglingEntry(removed));
      return true;
    });
  }

  /** Removes every entry of an image (all its names). */
  async remove(record: ImageRecord): Promise<void> {
    await this.update(undefined, (entries) => {
      for (let i = entries.length - 1; i >= 0; i--) if (entries[i]!.digest === record.target.digest) entries.splice(i, 1);
    });
  }

  load(record: ImageRecord): Promise<LoadedImage> {
    return loadImage(this.content, record.target);
  }

  /**
   * Deletes every blob not reachable from an index entry or held by a lease. Runs under the
   * index lock so no tag() can interleave between marking and sweeping.
   */
  async gc(): Promise<GcResult> {
    await this.content.ensureLayout();
    return withFileLock(this.lockPath, async () => {
      const keep = new Set<string>();
      // A leased manifest or index keeps what it reaches, like an index entry does.
      for (const digest of await leasedDigests(this.root)) await this.markLeased(digest, keep);
      for (const entry of (await this.readIndex()).manifests) await this.mark(entry, keep);
      const deleted: string[] = [];
      let reclaimed = 0;
      for await (const digest of this.content.list()) {
        if (keep.has(digest)) continue;
        const size = (await this.content.size(digest)) ?? 0;
        if (await this.content.delete(digest)) {
          deleted.push(digest);
          reclaimed += size;
          await forgetUncompressedSize(this.root, digest);
        }
      }
      return { deleted, reclaimed };
    });
  }

  /** Marks a leased digest, and its children when it is a manifest or an index. */
  private async markLeased(digest: string, keep: Set<string>): Promise<void> {
    const size = await this.content.size(digest);
    if (size === undefined || size > MAX_MANIFEST_BYTES) {
      keep.add(digest);
      return;
    }
    const head = (await this.content.readBytes(digest)).subarray(0, 1).toString();
    if (head !== '{') {
      keep.add(digest);
      return;
    }
    const json = await readJsonBlob<{ mediaType?: string; manifests?: unknown; layers?: unknown }>(this.content, digest, 'manifest').catch(() => undefined);
    const mediaType = json?.mediaType ?? (json?.manifests ? MediaType.OCI_INDEX : json?.layers ? MediaType.OCI_MANIFEST : '');
    await this.mark({ mediaType, digest, size }, keep);
  }

  private async mark(desc: Descriptor, keep: Set<string>): Promise<void> {
    if (keep.has(desc.digest)) return;
    keep.add(desc.digest);
    if (!(await this.content.has(desc.digest))) return;
    if (!isIndexType(desc.mediaType) && desc.mediaType !== MediaType.OCI_MANIFEST && desc.mediaType !== MediaType.DOCKER_MANIFEST) return;
    const json = await readJsonBlob<Partial<ImageManifest & ImageIndex>>(this.content, desc.digest, 'manifest').catch(() => undefined);
    if (!json) return;
    for (const child of json.manifests ?? []) await this.mark(child, keep);
    if (json.config) keep.add(json.config.digest);
    for (const layer of json.layers ?? []) keep.add(layer.digest);
  }

  private async describeTarget(manifest: Descriptor): Promise<TargetInfo> {
    const { manifest: m, config } = await loadImage(this.content, manifest);
    return { id: m.config.digest, ...(typeof config.created === 'string' ? { created: config.created } : {}) };
  }

  private async recordOf(entries: Descriptor[]): Promise<ImageRecord> {
    const first = entries[0]!;
    let id = entries.map((e) => e.annotations?.[IMAGE_ID]).find((x) => x !== undefined);
    let created = entries.map((e) => e.annotations?.[IMAGE_CREATED]).find((x) => x !== undefined);
    if (id === undefined) {
      // An entry another tool wrote: read the manifest once.
      const info = await this.describeTarget(first).catch(() => undefined);
      id = info?.id ?? first.digest;
      created ??= info?.created;
    }
    const tags = new Set<string>();
    const digests = new Set<string>();
    let lastTagTime: string | undefined;
    for (const e of entries) {
      const name = e.annotations?.[IMAGE_NAME];
      if (name === undefined) continue;
      let ref: Reference;
      try {
        ref = parseReference(name);
      } catch {
        continue;
      }
      if (ref.tag !== undefined && ref.digest === undefined) tags.add(ref.toString());
      if (ref.digest !== undefined) digests.add(`${ref.fullName()}@${ref.digest}`);
      else if (e.annotations?.[FROM_REGISTRY] === 'true') digests.add(`${ref.fullName()}@${e.digest}`);
      const t = e.annotations?.[TAG_TIME];
      if (t !== undefined && (lastTagTime === undefined || t > lastTagTime)) lastTagTime = t;
    }
    return {
      id,
      target: plainDescriptor(first),
      tags: [...tags].sort(),
      digests: [...digests].sort(),
      ...(created !== undefined ? { created } : {}),
      ...(lastTagTime !== undefined ? { lastTagTime } : {}),
    };
  }

  /** A read-modify-write of index.json under the lock; not replaced before `after` settles. */
  private async update<T>(after: Promise<unknown> | undefined, fn: (entries: Descriptor[]) => T | Promise<T>): Promise<T> {
    after?.catch(() => undefined); // (awaited below: a rejection is this call's)
    await this.content.ensureLayout();
    return withFileLock(this.lockPath, async () => {
      const index = await this.readIndex();
      const before = JSON.stringify(index.manifests);
      const result = await fn(index.manifests);
      if (JSON.stringify(index.manifests) !== before) await writeFileAtomic(this.indexPath, JSON.stringify(index), after ? { beforeRename: after } : {});
      else await after;
      return result;
    });
  }
}

function emptyIndex(): ImageIndex {
  return { schemaVersion: 2, mediaType: MediaType.OCI_INDEX, manifests: [] };
}

function createdMs(r: ImageRecord): number {
  const t = r.created ? Date.parse(r.created) : Number.NaN;
  return Number.isNaN(t) ? 0 : t;
}

function plainDescriptor(d: Descriptor): Descriptor {
  const out: Descriptor = { mediaType: d.mediaType, digest: d.digest, size: d.size };
  if (d.platform) out.platform = d.platform;
  return out;
}

function danglingEntry(from: Descriptor): Descriptor {
  const annotations: Record<string, string> = {};
  for (const key of [IMAGE_ID, IMAGE_CREATED]) {
    const v = from.annotations?.[key];
    if (v !== undefined) annotations[key] = v;
  }
  return { ...plainDescriptor(from), annotations };
}

function removeDangling(entries: Descriptor[], digest: string): void {
  for (let i = entries.length - 1; i >= 0; i--) {
    const e = entries[i]!;
    if (e.digest === digest && e.annotations?.[IMAGE_NAME] === undefined) entries.splice(i, 1);
  }
}

function matchReference(records: ImageRecord[], ref: Reference): ImageRecord | undefined {
  if (ref.digest !== undefined) {
    const repoDigest = `${ref.fullName()}@${ref.digest}`;
    return records.find((r) => r.digests.includes(repoDigest)) ?? records.find((r) => r.target.digest === ref.digest);
  }
  const name = ref.toString();
  return records.find((r) => r.tags.includes(name));
}
