// Read-only merged view of a chain of overlay-format layer directories, computed in user
// space (no mount): whiteouts (0:0 char devices) hide lower entries, opaque directories
// (trusted./user.overlay.opaque=y) hide everything below them in older layers.
import type { Stats } from 'node:fs';
import { lstatSync } from 'node:fs';
import { compareNames } from '../../context/go-strings.js';
import { fsPath, readdirEntries } from './byte-names.js';
import { lstatIfExists as tryLstat } from './lstat-if-exists.js';
import path from 'node:path';
import { readTreeXattrsMatching, type Xattrs } from './xattrs.js';

export const OPAQUE_XATTRS = ['trusted.overlay.opaque', 'user.overlay.opaque'];

export function isWhiteout(st: { isCharacterDevice(): boolean; rdev: number | bigint }): boolean {
  return st.isCharacterDevice() && Number(st.rdev) === 0;
}

export interface LowerEntry {
  /** Host path of the visible version. */
  hostPath: string;
  /** The layer directory holding it. */
  layer: string;
  stat: Stats;
}

export class LowerView {
  /** Layer directories, newest first (the order of overlay's lowerdir option). */
  readonly layers: readonly string[];
  private readonly opaque = new Map<string, Promise<Set<string>>>();
  /** The opaque sets already loaded, for synchronous lookups. */
  private readonly loaded = new Map<string, Set<string>>();

  /**
   * `opaqueIndex` may answer a layer's opaque directories from a record kept with it (the
   * snapshotter stores one), sparing the xattr walk; undefined falls back to the walk.
   */
  constructor(layersNewestFirst: readonly string[],
    private readonly opaqueIndex?: (layer: string) => Promise<Set<string> | undefined>) {
    this.layers = layersNewestFirst;
  }

  /** Relative paths of opaque directories in one layer (cached per view). */
  opaqueDirs(layer: string): Promise<Set<string>> {
    let set = this.opaque.get(layer);
    if (!set) {
      set = (async () => {
        const dirs = (await this.opaqueIndex?.(layer)) ?? await scanOpaqueDirs(layer);
        this.loaded.set(layer, dirs);
        return dirs;
      })();
      this.opaque.set(layer, set);
    }
    return set;
  }

  /** Loads what lookupSync needs: the opaque directories of every layer but the bottom one. */
  async preload(): Promise<void> {
    await Promise.all(this.layers.slice(0, -1).map((l) => this.opaqueDirs(l)));
  }

  /** The visible entry at `rel` ('' is the root), or undefined when absent or whited out. */
  async lookup(rel: string): Promise<LowerEntry | undefined> {
    const comps = rel.split('/').filter(Boolean);
    for (;;) {
      const res = this.lookupLoaded(comps);
      if (!('missing' in res)) return res.entry;
      await this.opaqueDirs(res.missing);
    }
  }

  /** lookup() without awaiting: only after preload(). */
  lookupSync(rel: string): LowerEntry | undefined {
    const res = this.lookupLoaded(rel.split('/').filter(Boolean));
    if ('missing' in res) throw new Error(`lower view used synchronously before preload (${res.missing})`);
    return res.entry;
  }

  /** The lookup with the opaque sets loaded so far; names the layer whose set is missing. */
  private lookupLoaded(comps: string[]): { entry: LowerEntry | undefined } | { missing: string } {
    for (const layer of this.layers) {
      const hostPath = path.join(layer, ...comps);
      const st = tryLstat(hostPath);
      if (st) return { entry: isWhiteout(st) ? undefined : { hostPath, layer, stat: st } };
      // Absent here: does this layer hide the path through an ancestor? (Nothing to hide
      // below the bottom layer, which spares a base image its xattr walk.)
      if (layer === this.layers[this.layers.length - 1]) break;
      const opaque = this.loaded.get(layer);
      if (!opaque) return { missing: layer };
      if (hiddenByAncestor(layer, comps, opaque)) return { entry: undefined };
    }
    return { entry: undefined };
  }

  /** Names visible in directory `rel` of the merged view (sorted). */
  async readdir(rel: string): Promise<string[]> {
    const comps = rel.split('/').filter(Boolean);
    for (;;) {
      const res = this.readdirLoaded(comps);
      if (!('missing' in res)) return [...res.hosts.keys()].sort(compareNames);
      await this.opaqueDirs(res.missing);
    }
  }

  /** readdir() without awaiting: only after preload(). */
  readdirSync(rel: string): string[] {
    return [...this.readdirHostsSync(rel).keys()].sort(compareNames);
  }

  /**
   * The names visible in directory `rel`, each with the host path of its visible version
   * (the same as lookup() would give; a walk needs no lookup per entry then). Unsorted.
   */
  readdirHostsSync(rel: string): Map<string, string> {
    const res = this.readdirLoaded(rel.split('/').filter(Boolean));
    if ('missing' in res) throw new Error(`lower view used synchronously before preload (${res.missing})`);
    return res.hosts;
  }

  private readdirLoaded(comps: string[]): { hosts: Map<string, string> } | { missing: string } {
    const seen = new Map<string, string>();
    const hidden = new Set<string>();
    const bottom = this.layers[this.layers.length - 1];
    for (const layer of this.layers) {
      const dir = path.join(layer, ...comps);
      const st = tryLstat(dir);
      if (st && !st.isDirectory()) break;
      if (st) {
        for (const { name, dirent } of readdirEntries(dir)) {
          if (seen.has(name) || hidden.has(name)) continue;
          const est = dirent.isCharacterDevice() ? lstatSync(fsPath(path.join(dir, name))) : undefined;
          if (est && isWhiteout(est)) hidden.add(name);
          else seen.set(name, path.join(dir, name));
        }
      }
      if (layer === bottom) break;
      const opaque = this.loaded.get(layer);
      if (!opaque) return { missing: layer };
      // A layer's own root is never opaque to the kernel (overlayfs ignores the mark there).
      if ((st && comps.length > 0 && opaque.has(comps.join('/'))) || hiddenByAncestor(layer, comps, opaque)) break;
    }
    return { hosts: seen };
  }
}

/** Whether an ancestor of `comps` in `layer` is a non-directory or opaque, hiding older layers. */
function hiddenByAncestor(layer: string, comps: string[], opaque: Set<string>): boolean {
  for (let i = comps.length - 1; i >= 1; i--) {
    const anc = comps.slice(0, i);
    const st = tryLstat(path.join(layer, ...anc));
    if (!st) continue;
    if (!st.isDirectory()) return true; // a whiteout or file replaces the directory
    if (opaque.has(anc.join('/'))) return true;
  }
  return false;
}

/** Opaque directories of a layer directory, found by one getfattr walk. */
export async function scanOpaqueDirs(layer: string): Promise<Set<string>> {
  return opaqueDirsIn(layer, await readTreeXattrsMatching(layer, '^(trusted|user)\\.overlay\\.opaque$'));
}

/** Opaque directories (relative paths) in an xattr dump of the layer directory `layer`. */
export function opaqueDirsIn(layer: string, dump: Map<string, Xattrs>): Set<string> {
  const out = new Set<string>();
  for (const [file, attrs] of dump) {
    if (OPAQUE_XATTRS.some((n) => attrs.get(n)?.toString() === 'y')) out.add(path.relative(layer, file));
  }
  return out;
}
