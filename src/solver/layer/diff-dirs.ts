// Walking differ (continuity's double walk): compares a lower tree (a plain directory or a
// chain of overlay-format layers) with an upper full tree and emits the changes in walk
// order (depth-first, byte-sorted names). Directories compare by type, mode and owner;
// other entries also by size, mtime and, when both mtimes lack nanoseconds, content.
import type { BigIntStats } from 'node:fs';
import path from 'node:path';
import { readdirNames } from './byte-names.js';
import { lstatBigIfExists as tryLstat } from './lstat-if-exists.js';
import { compareNames } from '../../context/go-strings.js';
import { LowerView } from './lower-view.js';
import { sameDirent } from './same-dirent.js';

export type ChangeKind = 'add' | 'modify' | 'delete';

export interface Change {
  kind: ChangeKind;
  /** Root-relative path without a leading slash. */
  path: string;
  /** Stat of the upper entry (undefined for deletes). */
  stat?: BigIntStats;
}

export async function* diffDirs(lower: string | LowerView, upper: string): AsyncGenerator<Change> {
  const view = typeof lower === 'string' ? new LowerView([lower]) : lower;
  yield* walk(view, upper, '');
}

async function* walk(view: LowerView, upper: string, rel: string): AsyncGenerator<Change> {
  const upperNames = readdirNames(path.join(upper, rel));
  const lowerNames = await view.readdir(rel);
  const names = [...new Set([...upperNames, ...lowerNames])].sort(compareNames);
  const inUpper = new Set(upperNames);
  for (const name of names) {
    const p = rel ? `${rel}/${name}` : name;
    if (!inUpper.has(name)) {
      yield { kind: 'delete', path: p };
      continue;
    }
    const st = tryLstat(path.join(upper, p));
    if (!st) continue;
    const base = await view.lookup(p);
    const baseStat = base ? tryLstat(base.hostPath) : undefined;
    if (!base || !baseStat) {
      yield* added(upper, p, st);
      continue;
    }
    if (baseStat.isDirectory() !== st.isDirectory()) {
      // Type change: in overlay terms the new entry simply replaces the old one.
      yield* added(upper, p, st);
      continue;
    }
    if (!(await sameDirent(baseStat, base.hostPath, st, path.join(upper, p)))) yield { kind: 'modify', path: p, stat: st };
    if (st.isDirectory()) yield* walk(view, upper, p);
  }
}

async function* added(upper: string, rel: string, st: BigIntStats): AsyncGenerator<Change> {
  yield { kind: 'add', path: rel, stat: st };
  if (!st.isDirectory()) return;
  for (const name of readdirNames(path.join(upper, rel)).sort(compareNames)) {
    const p = `${rel}/${name}`;
    const cst = tryLstat(path.join(upper, p));
    if (cst) yield* added(upper, p, cst);
  }
}
