// Run bundled by sys-helper-lifetime.test.ts as its own Node process:
//   idle <dir>: start the helper, use it, print its pid, then just return (Node must exit)
//   hold <dir>: the same, then stay alive until killed
//   fallback <dir>: with a PATH without perl: xattrs still read (through getfattr)
import { readTreeXattrs } from '../../../src/solver/layer/xattrs.js';
import { sysHelper, warmSysHelper } from '../../../src/solver/sys/sys-helper.js';

const [mode, dir] = process.argv.slice(2) as [string, string];
warmSysHelper();
const pid = sysHelper()?.pid;
const dump = await readTreeXattrs(dir);
process.stdout.write(`${JSON.stringify({ pid, files: [...dump.keys()], helperAfter: sysHelper() !== undefined })}\n`);
if (mode === 'hold') setInterval(() => undefined, 1000);
