// Device nodes, fifos and overlay whiteouts (0:0 character devices) through the syscall
// helper, or mknod(1) where it cannot run: no child process per node. Like `mknod -m MODE`:
// the mode is exact (no umask) and may hold only permission bits.
import { constants, renameSync } from 'node:fs';
import path from 'node:path';
import { fsPath, hasEscapes } from '../layer/byte-names.js';
import { mustRunTool } from '../layer/run-tool.js';
import { SysCallError, withSysHelper } from './sys-helper.js';

export type NodeKind = 'c' | 'b' | 'p';

const TYPE_BITS: Record<NodeKind, number> = { c: constants.S_IFCHR, b: constants.S_IFBLK, p: constants.S_IFIFO };

export async function makeNode(file: string, kind: NodeKind, mode: number, major = 0, minor = 0): Promise<void> {
  if ((mode & ~0o777) !== 0) throw new Error(`mknod ${file} failed: mode must specify only file permission bits`);
  const abs = path.resolve(file);
  await withSysHelper(
    (h) => h.mknod(abs, TYPE_BITS[kind] | mode, major, minor).catch((err: unknown) => {
      throw err instanceof SysCallError ? new Error(`mknod ${file} failed: ${err.message}`) : err;
    }),
    async () => {
      // A name that is not valid UTF-8 (layer/byte-names.ts) cannot be an argument: the node is
      // made under a plain name beside it and renamed into place. (The helper takes the bytes.)
      const escaped = hasEscapes(abs);
      const made = escaped ? path.join(path.dirname(abs), `.slipway-node-${process.pid}-${++tmpNodes}`) : abs;
      await mustRunTool('mknod', ['-m', mode.toString(8), made, kind, ...(kind === 'p' ? [] : [String(major), String(minor)])]);
      if (escaped) renameSync(fsPath(made), fsPath(abs));
    });
}

let tmpNodes = 0;

/** An overlayfs whiteout: a 0:0 character device with mode 0 (Linux 5.8+ lets anyone make one). */
export function makeWhiteout(file: string): Promise<void> {
  return makeNode(file, 'c', 0);
}
