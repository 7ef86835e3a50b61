// `slipway debug fsck [--json]`: checks a --root for corruption (see src/fsck/). Exit 1 when
// any error is found; leftovers of dead processes and stale memos are listed but harmless.
import { errorsOf, fsck, type FsckReport } from '../../fsck/fsck.js';

/** An exit-code-carrying error so src/cli/errors.ts exits 1 after the listing was printed. */
class FsckFailed extends Error {
  readonly exitCode = 1;
  constructor(readonly count: number) {
    super(`fsck: ${count} problem${count === 1 ? '' : 's'} found`);
  }

  format(): string {
    return this.message;
  }
}

function summary(report: FsckReport): string {
  const { blobs, images, cacheRecords, snapshots } = report.counts;
  const by = (s: string): number => report.findings.filter((f) => f.severity === s).length;
  return `checked ${blobs} blobs, ${images} image entries, ${snapshots} snapshots, ${cacheRecords} cache records: ` +
    `${by('error')} errors, ${by('leftover')} harmless leftovers, ${by('stale')} stale memos`;
}

export async function runDebugFsck(root: string, opts: { json?: boolean }): Promise<void> {
  const report = await fsck(root);
  const errors = errorsOf(report).length;
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ ...report, ok: errors === 0 }, null, 2)}\n`);
  } else {
    for (const f of report.findings) process.stdout.write(`${f.severity}: ${f.where}: ${f.message}\n`);
    process.stdout.write(`${summary(report)}\n`);
  }
  if (errors > 0) throw new FsckFailed(errors);
}
