// Where COPY reads from: a plain directory (the build context, a mounted view), or a chain
// of layer directories merged in user space (a LowerView: no mount). Paths stay host-style
// below `root`; for a layer chain the root is virtual and every read goes through the tree.
import type { BigIntStats } from 'node:fs';
import { lstatSync } from 'node:fs';
import path from 'node:path';
import { fsPath, readdirNames, readlinkName } from '../layer/byte-names.js';
import { lstatBigIfExists } from '../layer/lstat-if-exists.js';
import type { LowerEntry, LowerView } from '../layer/lower-view.js';
import { relativeInside, resolveInRootSync, resolveParentInRootSync } from '../layer/root-path.js';
import { readTreeXattrs, type Xattrs } from '../layer/xattrs.js';
import { resolveWith } from '../layer/resolve-with.js';

export interface SourceTree {
  readonly root: string;
  /** The path inside root with every symlink followed (`followLast` false: not the last one). */
  resolve(p: string, followLast: boolean): string;
  lstat(host: string): BigIntStats | undefined;
  /** lstat that throws the system's error for an absent entry. */
  lstatStrict(host: string): BigIntStats;
  /** Names in the directory `host` (unsorted). */
  readdir(host: string): string[];
  readlink(host: string): string;
  /** The real file holding the content of the regular file `host`. */
  contentPath(host: string): string;
  /** Xattrs of `top` and everything below it, keyed by path below root. */
  treeXattrs(top: string): Promise<Map<string, Xattrs>>;
}

export function plainSource(root: string): SourceTree {
  return {
    root,
    resolve: (p, followLast) => (followLast ? resolveInRootSync(root, p) : resolveParentInRootSync(root, p)),
    lstat: (host) => lstatBigIfExists(host),
    lstatStrict: (host) => lstatSync(fsPath(host), { bigint: true }),
    readdir: (host) => readdirNames(host),
    readlink: (host) => readlinkName(host),
    contentPath: (host) => host,
    treeXattrs: (top) => readTreeXattrs(top),
  };
}

export function asSourceTree(src: string | SourceTree): SourceTree {
  return typeof src === 'string' ? plainSource(path.resolve(src)) : src;
}

/**
 * A layer chain as a source. `view` must be preloaded; `layerXattrs` answers a layer's xattr
 * record (undefined when it has none: then its part of a source tree is dumped).
 */
export function viewSource(view: LowerView, root: string,
  layerXattrs: (layer: string) => Promise<Map<string, Xattrs> | undefined>): SourceTree {
  const relOf = (host: string): string => {
    const rel = relativeInside(root, host);
    if (rel === undefined) throw new Error(`${host} is outside the source ${root}`);
    return rel;
  };
  // Host paths of the entries readdir listed: a walk then needs no lookup per entry.
  const listed = new Map<string, string>();
  const hostOf = (host: string): string | undefined => listed.get(host) ?? view.lookupSync(relOf(host))?.hostPath;
  const mustHost = (host: string): string => {
    const real = hostOf(host);
    if (!real) throw Object.assign(new Error(`ENOENT: no such file or directory, ${host}`), { code: 'ENOENT' });
    return real;
  };
  const lookup = {
    lstat: (rel: string) => view.lookupSync(rel)?.stat,
    readlink: (rel: string) => readlinkName((view.lookupSync(rel) as LowerEntry).hostPath),
  };
  return {
    root,
    resolve: (p, followLast) => {
      if (followLast) return path.join(root, ...resolveWith(p, lookup));
      const clean = path.posix.normalize('/' + p);
      if (clean === '/') return root;
      return path.join(root, ...resolveWith(path.posix.dirname(clean), lookup), path.posix.basename(clean));
    },
    lstat: (host) => {
      const real = hostOf(host);
      return real === undefined ? undefined : lstatSync(fsPath(real), { bigint: true });
    },
    lstatStrict: (host) => lstatSync(fsPath(mustHost(host)), { bigint: true }),
    readdir: (host) => {
      const hosts = view.readdirHostsSync(relOf(host));
      for (const [name, real] of hosts) listed.set(path.join(host, name), real);
      return [...hosts.keys()];
    },
    readlink: (host) => readlinkName(mustHost(host)),
    contentPath: (host) => mustHost(host),
    treeXattrs: async (top) => {
      // Every layer holding part of the tree: its record, or one dump of its part.
      const rel = relOf(top);
      const out = new Map<string, Xattrs>();
      for (const layer of view.layers) {
        const part = path.join(layer, rel);
        if (!lstatBigIfExists(part)) continue;
        const all = (await layerXattrs(layer)) ?? await readTreeXattrs(part);
        for (const [host, attrs] of all) {
          const r = relativeInside(layer, host);
          if (r === undefined || (r !== rel && rel !== '' && !r.startsWith(rel + '/'))) continue;
          const e = view.lookupSync(r);
          if (e?.hostPath !== host || out.has(path.join(root, r))) continue;
          // The mount hides overlay's own attributes.
          const shown = new Map([...attrs].filter(([k]) => !k.startsWith('trusted.overlay.')));
          out.set(path.join(root, r), shown);
        }
      }
      return out;
    },
  };
}
