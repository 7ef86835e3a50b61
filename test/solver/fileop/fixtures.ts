// Temp trees and default actions for the file-op tests.
import {
  lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, utimesSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import type { FileActionCopy } from '../../../src/llb/types.js';

const made: string[] = [];

afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export interface Roots { work: string; src: string; dest: string; outside: string }

export function roots(): Roots {
  const work = mkdtempSync(path.join(tmpdir(), 'slipway-fileop-'));
  made.push(work);
  const r = { work, src: path.join(work, 'src'), dest: path.join(work, 'dest'), outside: path.join(work, 'outside') };
  for (const d of [r.src, r.dest, r.outside]) mkdirSync(d);
  return r;
}

export const T2001 = new Date('2001-01-01T00:00:00Z').getTime() / 1000;

/** Writes files (content strings) and directories (trailing '/') below root. */
export function tree(root: string, spec: Record<string, string>): void {
  for (const [rel, content] of Object.entries(spec)) {
    const host = path.join(root, rel);
    if (rel.endsWith('/')) {
      mkdirSync(host, { recursive: true });
      continue;
    }
    mkdirSync(path.dirname(host), { recursive: true });
    writeFileSync(host, content);
    utimesSync(host, T2001, T2001);
  }
}

export function copyAction(src: string, dest: string, extra: Partial<FileActionCopy> = {}): FileActionCopy {
  return {
    type: 'copy', src, dest, followSymlink: false, dirCopyContents: false, attemptUnpackDockerCompatibility: false,
    createDestPath: false, allowWildcard: false, allowEmptyWildcard: false, includePatterns: [], excludePatterns: [],
    requiredPaths: [], alwaysReplaceExistingDestPaths: false, ...extra,
  };
}

/** Dockerfile COPY's flags (dispatch-copy.ts localCopy). */
export function dockerCopy(src: string, dest: string, extra: Partial<FileActionCopy> = {}): FileActionCopy {
  return copyAction(src, dest, {
    followSymlink: true, dirCopyContents: true, createDestPath: true, allowWildcard: true, allowEmptyWildcard: true,
    ...extra,
  });
}

/** `path type mode uid:gid [-> target | =content]` for every entry below root, sorted. */
export function listing(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, rel: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const host = path.join(dir, name);
      const r = rel ? `${rel}/${name}` : name;
      const st = lstatSync(host);
      const mode = (st.mode & 0o7777).toString(8).padStart(4, '0');
      if (st.isDirectory()) {
        out.push(`${r}/ ${mode} ${st.uid}:${st.gid}`);
        walk(host, r);
      } else if (st.isSymbolicLink()) {
        out.push(`${r} -> ${readlinkSync(host)} ${st.uid}:${st.gid}`);
      } else {
        out.push(`${r} ${mode} ${st.uid}:${st.gid} =${readFileSync(host, 'utf8')}`);
      }
    }
  };
  walk(root, '');
  return out;
}
