// The progress renderers on synthetic events: BuildKit's plain format line by line, the tty
// view's frames (no colours, fixed clock), rawjson.
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { VertexProgress } from '../../src/solver/progress/events.js';
import { PlainRenderer } from '../../src/solver/progress/plain.js';
import { RawJSONRenderer } from '../../src/solver/progress/rawjson.js';
import { TTYRenderer } from '../../src/solver/progress/tty.js';
import { formatLogTime } from '../../src/solver/progress/vertex-log.js';

function plain(fn: (sink: PlainRenderer['sink']) => void): { out: string; r: PlainRenderer } {
  let out = '';
  const r = new PlainRenderer((t) => { out += t; });
  fn(r.sink);
  r.finish();
  return { out, r };
}

describe('plain progress (BuildKit format)', () => {
  it('numbers vertices, prints CACHED, output lines with their time, DONE and ERROR', () => {
    const { out } = plain((sink) => {
      sink({ type: 'vertex-cached', id: 'a', name: '[1/3] FROM busybox', time: 10 });
      sink({ type: 'vertex-start', id: 'b', name: '[2/3] RUN echo hi', time: 10 });
      sink({ type: 'vertex-log', id: 'b', stream: 1, data: Buffer.from('hel'), time: 10.1 });
      sink({ type: 'vertex-log', id: 'b', stream: 1, data: Buffer.from('lo\nworld\n'), time: 10.25 });
      sink({ type: 'vertex-done', id: 'b', time: 10.31 });
      sink({ type: 'vertex-start', id: 'c', name: '[3/3] RUN false', time: 11 });
      sink({ type: 'vertex-miss', id: 'c', reason: 'context file changed: a.txt', time: 11 });
      sink({ type: 'vertex-error', id: 'c', error: 'process "/bin/sh -c false" did not complete successfully: exit code: 1', time: 11.5 });
    });
    expect(out.split('\n')).toEqual([
      '#1 [1/3] FROM busybox',
      '#1 CACHED',
      '',
      '#2 [2/3] RUN echo hi',
      // A line is stamped when it starts (BuildKit), not when its newline arrives.
      '#2 0.100 hello',
      '#2 0.250 world',
      '#2 DONE 0.3s',
      '',
      '#3 [3/3] RUN false',
      '#3 MISS: context file changed: a.txt',
      '#3 ERROR: process "/bin/sh -c false" did not complete successfully: exit code: 1',
      '',
    ]);
  });

  it('leaves a running vertex with "#N ..." and reopens it with its header', () => {
    const { out } = plain((sink) => {
      const a = new VertexProgress(sink, 'a', '[a 2/2] RUN x');
      const b = new VertexProgress(sink, 'b', '[b 2/2] RUN y');
      a.start();
      b.start();
      a.log(1, Buffer.from('from a\n'));
      a.done();
    });
    expect(out).toMatch(/^#1 \[a 2\/2\] RUN x\n#1 \.\.\.\n\n#2 \[b 2\/2\] RUN y\n#2 \.\.\.\n\n#1 \[a 2\/2\] RUN x\n#1 \d\.\d{3} from a\n#1 DONE \d\.\ds\n$/);
  });

  it('flushes a last line without a newline before DONE, stamped when it began', () => {
    const { out } = plain((sink) => {
      sink({ type: 'vertex-start', id: 'a', name: 'x', time: 1 });
      sink({ type: 'vertex-log', id: 'a', stream: 2, data: Buffer.from('no newline'), time: 1.5 });
      sink({ type: 'vertex-done', id: 'a', time: 2 });
    });
    expect(out).toBe('#1 x\n#1 0.500 no newline\n#1 DONE 1.0s\n');
  });

  it('keeps the last 10 lines of each vertex for the error box', () => {
    const { r } = plain((sink) => {
      sink({ type: 'vertex-start', id: 'a', name: 'x', time: 0 });
      for (let i = 1; i <= 12; i++) sink({ type: 'vertex-log', id: 'a', stream: 1, data: Buffer.from(`line ${i}\n`), time: i });
      sink({ type: 'vertex-error', id: 'a', error: 'boom', time: 13 });
    });
    expect(r.lastLines('a')).toEqual(['3.000 line 3', '4.000 line 4', '5.000 line 5', '6.000 line 6', '7.000 line 7',
      '8.000 line 8', '9.000 line 9', '10.00 line 10', '11.00 line 11', '12.00 line 12']);
    expect(r.lastLines('nope')).toBeUndefined();
  });

  it('stamps with 3, 2, then 1 decimals as BuildKit', () => {
    expect([formatLogTime(0.0123), formatLogTime(12.5), formatLogTime(123.45)]).toEqual(['0.012', '12.50', '123.5']);
  });
});

describe('tty progress', () => {
  const noColor = new Chalk({ level: 0 });
  /** A step line 59 columns wide: name on the left, timer on the right. */
  const row = (name: string, timer: string): string => `${name.padEnd(59 - timer.length - 1)} ${timer}`;

  function tty(isTTY: boolean) {
    let out = '';
    const r = new TTYRenderer({ write: (t) => { out += t; }, isTTY, columns: 60, rows: 20 }, noColor);
    return { r, text: () => out };
  }

  it('shows running steps with timers and their last 6 output lines, finished ones collapsed', () => {
    const { r } = tty(false);
    const t0 = Date.now() / 1000;
    r.sink({ type: 'vertex-cached', id: 'a', name: '[1/3] FROM busybox', time: t0 });
    r.sink({ type: 'vertex-start', id: 'b', name: '[2/3] COPY a /a', time: t0 });
    r.sink({ type: 'vertex-log', id: 'b', stream: 1, data: Buffer.from('copied\n'), time: t0 + 0.1 });
    r.sink({ type: 'vertex-done', id: 'b', time: t0 + 0.2 });
    r.sink({ type: 'vertex-start', id: 'c', name: '[3/3] RUN make', time: t0 + 0.2 });
    for (let i = 1; i <= 8; i++) r.sink({ type: 'vertex-log', id: 'c', stream: 1, data: Buffer.from(`step ${i}\n`), time: t0 + 0.3 });
    const frame = r.frame(false, t0 + 1.5);
    expect(frame[0]).toMatch(/^\[\+\] Building \d+\.\ds \(2\/3\)$/);
    expect(frame.slice(1)).toEqual([
      row(' => CACHED [1/3] FROM busybox', '0.0s'),
      row(' => [2/3] COPY a /a', '0.2s'),
      row(' => [3/3] RUN make', '1.3s'),
      ' => => # step 3', ' => => # step 4', ' => => # step 5', ' => => # step 6', ' => => # step 7', ' => => # step 8',
    ]);
    // 60 columns: every line stops one short, so the terminal never wraps.
    for (const line of frame) expect(line.length).toBeLessThanOrEqual(59);
  });

  it('ends with the full list, FINISHED and a summary; off a terminal without cursor moves', () => {
    const { r, text } = tty(false);
    const t = Date.now() / 1000;
    r.sink({ type: 'vertex-cached', id: 'a', name: '[1/2] FROM busybox', time: t });
    r.sink({ type: 'vertex-start', id: 'b', name: '[2/2] RUN true', time: t });
    r.sink({ type: 'vertex-miss', id: 'b', reason: 'build arg changed: V', time: t });
    r.sink({ type: 'vertex-done', id: 'b', time: t + 0.5 });
    r.finish();
    const lines = text().split('\n');
    expect(lines[0]).toMatch(/^\[\+\] Building \d+\.\ds \(2\/2\) FINISHED$/);
    expect(lines[3]).toBe(' => => MISS: build arg changed: V');
    expect(lines[4]).toMatch(/^Build finished in \d+\.\ds: 2 steps, 1 cached$/);
    expect(text()).not.toMatch(/\x1b/);
  });

  it('says how many steps failed', () => {
    const { r } = tty(false);
    const t = Date.now() / 1000;
    r.sink({ type: 'vertex-start', id: 'b', name: '[2/2] RUN false', time: t });
    r.sink({ type: 'vertex-error', id: 'b', error: 'exit code: 1', time: t + 0.1 });
    expect(r.frame(true)[1]).toMatch(/^ => ERROR \[2\/2\] RUN false +0\.1s$/);
    expect(r.summary()).toMatch(/^Build failed after \d+\.\ds: 1 step, 0 cached, 1 failed$/);
  });

  it('strips escapes and carriage-return progress from output lines', () => {
    const { r } = tty(false);
    const t = Date.now() / 1000;
    r.sink({ type: 'vertex-start', id: 'c', name: 'RUN x', time: t });
    r.sink({ type: 'vertex-log', id: 'c', stream: 1, data: Buffer.from('\x1b[31mred\x1b[0m 10%\r50%\r100%\n'), time: t });
    expect(r.frame(false, t).at(-1)).toBe(' => => # 100%');
  });
});

describe('rawjson progress', () => {
  it("writes one BuildKit SolveStatus-shaped object per event (whole vertex, logs in base64)", () => {
    let out = '';
    const r = new RawJSONRenderer((t) => { out += t; });
    r.sink({ type: 'vertex-start', id: 'sha256:a', name: '[1/1] RUN x', time: 1 });
    r.sink({ type: 'vertex-log', id: 'sha256:a', stream: 1, data: Buffer.from('hi\n'), time: 2 });
    r.sink({ type: 'vertex-miss', id: 'sha256:a', reason: 'build arg changed: V', time: 2 });
    r.sink({ type: 'vertex-error', id: 'sha256:a', error: 'exit code: 1', time: 3 });
    r.sink({ type: 'vertex-cached', id: 'sha256:b', name: 'FROM b', time: 4 });
    const events = out.trim().split('\n').map((l) => JSON.parse(l) as unknown);
    expect(events).toEqual([
      { vertexes: [{ digest: 'sha256:a', name: '[1/1] RUN x', started: '1970-01-01T00:00:01.000Z' }] },
      { logs: [{ vertex: 'sha256:a', stream: 1, data: Buffer.from('hi\n').toString('base64'), timestamp: '1970-01-01T00:00:02.000Z' }] },
      { cacheMisses: [{ vertex: 'sha256:a', reason: 'build arg changed: V', timestamp: '1970-01-01T00:00:02.000Z' }] },
      { vertexes: [{ digest: 'sha256:a', name: '[1/1] RUN x', started: '1970-01-01T00:00:01.000Z', completed: '1970-01-01T00:00:03.000Z', error: 'exit code: 1' }] },
      { vertexes: [{ digest: 'sha256:b', name: 'FROM b', started: '1970-01-01T00:00:04.000Z', completed: '1970-01-01T00:00:04.000Z', cached: true }] },
    ]);
  });
});
