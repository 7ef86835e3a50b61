// writeFileAtomic: durable (fsync) or not, a reader sees the old file or the new one, the
// temp file never stays behind, and a failed rename cleans up.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/store/atomic-file.js';

const dir = mkdtempSync(path.join(tmpdir(), 'slipway-atomic-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writeFileAtomic', () => {
  for (const durable of [true, false]) {
    it(`replaces a file whole, creating its directory (durable: ${durable})`, async () => {
      const file = path.join(dir, `d-${durable}`, 'sub', 'f.json');
      await writeFileAtomic(file, 'first', { durable });
      expect(readFileSync(file, 'utf8')).toBe('first');
      const big = Buffer.alloc(3 << 20, 7);
      await writeFileAtomic(file, big, { durable });
      expect(readFileSync(file).equals(big)).toBe(true);
      expect(readdirSync(path.dirname(file))).toEqual(['f.json']);
    });

    it(`leaves no temp file when the rename fails (durable: ${durable})`, async () => {
      const target = path.join(dir, `busy-${durable}`);
      mkdirSync(path.join(target, 'not-empty'), { recursive: true });
      writeFileSync(path.join(target, 'not-empty', 'x'), 'x');
      // A non-empty directory cannot be replaced by a file.
      await expect(writeFileAtomic(path.join(target, 'not-empty'), 'data', { durable })).rejects.toThrow();
      expect(readdirSync(target)).toEqual(['not-empty']);
    });
  }

  it('beforeRename: the old file stays until the promise settles; a rejection keeps it and leaves no temp file', async () => {
    const file = path.join(dir, 'gated', 'index.json');
    await writeFileAtomic(file, 'old');
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const write = writeFileAtomic(file, 'new', { beforeRename: gate });
    await new Promise((r) => setTimeout(r, 30));
    expect(readFileSync(file, 'utf8')).toBe('old');
    open();
    await write;
    expect(readFileSync(file, 'utf8')).toBe('new');
    await expect(writeFileAtomic(file, 'never', { beforeRename: Promise.reject(new Error('blobs not stored')) })).rejects.toThrow('blobs not stored');
    expect(readFileSync(file, 'utf8')).toBe('new');
    expect(readdirSync(path.dirname(file))).toEqual(['index.json']);
  });
});
