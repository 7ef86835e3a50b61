import { describe, expect, it } from 'vitest';
import { humanSize, makeProgress, shortId } from '../../src/registry/progress.js';

function sink(isTTY: boolean) {
  const out = { isTTY, text: '', write(s: string) { out.text += s; return true; } };
  return out;
}

describe('transfer progress', () => {
  it('plain: one line per state change, no byte counts', () => {
    const out = sink(false);
    const p = makeProgress(out);
    p.line('latest: Pulling from library/busybox');
    p.layer('abc', 'Pulling fs layer');
    p.layer('abc', 'Downloading', 10, 100);
    p.layer('abc', 'Downloading', 50, 100);
    p.layer('abc', 'Pull complete');
    p.layer('abc', 'Pull complete');
    p.done();
    expect(out.text).toBe('latest: Pulling from library/busybox\nabc: Pulling fs layer\nabc: Pull complete\n');
  });

  it('tty: per-layer lines redrawn in place with a bar', () => {
    const out = sink(true);
    const p = makeProgress(out);
    p.layer('aaa', 'Pulling fs layer');
    p.layer('bbb', 'Pulling fs layer');
    p.layer('aaa', 'Pull complete');
    p.done();
    expect(out.text).toContain('\x1b[2A'); // moved up over the two layer lines
    expect(out.text.endsWith('\x1b[2K\raaa: Pull complete\n\x1b[2K\rbbb: Pulling fs layer\n')).toBe(true);
    const out2 = sink(true);
    const p2 = makeProgress(out2);
    p2.layer('ccc', 'Downloading', 500_000, 1_000_000);
    p2.done();
    expect(out2.text).toContain('ccc: Downloading [=========================>                        ] 500kB/1MB');
  });

  it('quiet prints nothing; helpers', () => {
    const out = sink(false);
    const p = makeProgress(out, { quiet: true });
    p.line('x');
    p.layer('a', 'b');
    expect(out.text).toBe('');
    expect(shortId(`sha256:${'ab'.repeat(32)}`)).toBe('abababababab');
    expect(humanSize(1_234_567)).toBe('1.23MB');
    expect(humanSize(999)).toBe('999B');
  });
});
