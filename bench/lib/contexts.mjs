// Build contexts for bench/compare.mjs, each prepared as a fresh copy per run (a one-file
// edit must not leak into the next run): the refenv examples, and a large generated context.
import { appendFileSync, cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A row of the table: `prepare()` returns a context dir, `edit(ctx)` makes the one-file change.
 * `registry` is the host:port the bases come from.
 */
export function exampleRow(name, examplesDir, registry) {
  return {
    name,
    prepare() {
      const ctx = mkdtempSync(join(tmpdir(), `slipway-bench-${name}-`));
      cpSync(join(examplesDir, name), ctx, { recursive: true });
      const df = join(ctx, 'Dockerfile');
      writeFileSync(df, readFileSync(df, 'utf8').replaceAll('127.0.0.1:5000/', `${registry}/`));
      // The debian example COPYs data.txt (refenv README: `seq 1 100000 > data.txt`).
      writeFileSync(join(ctx, 'data.txt'), Array.from({ length: 100000 }, (_, i) => `${i + 1}\n`).join(''));
      return ctx;
    },
    // multistage reads no context file: its "1-file" column is a rebuild after an unused edit
    edit(ctx, i) {
      appendFileSync(join(ctx, 'data.txt'), `bench ${i} ${Date.now()}\n`);
    },
  };
}

/** The generated 10,000-file / 200 MB context (bench/checksum.mjs makes it) COPYed onto busybox. */
export function bigContextRow(sourceDir, registry) {
  return {
    name: 'ctx-10k-200MB',
    prepare() {
      const ctx = mkdtempSync(join(tmpdir(), 'slipway-bench-big-'));
      cpSync(sourceDir, join(ctx, 'files'), { recursive: true });
      writeFileSync(join(ctx, 'Dockerfile'), `FROM ${registry}/library/busybox:latest\nCOPY files /data/\n`);
      return ctx;
    },
    edit(ctx, i) {
      appendFileSync(join(ctx, 'files', 'd000', 'f1.bin'), `bench ${i} ${Date.now()}\n`);
    },
  };
}
