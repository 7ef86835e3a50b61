import { describe, expect, it } from 'vitest';
import { VertexProgress } from '../../../src/solver/progress/events.js';
import { PlainRenderer } from '../../../src/solver/progress/plain.js';

function render(fn: (sink: PlainRenderer['sink']) => void): string {
  let out = '';
  const r = new PlainRenderer((t) => { out += t; });
  fn(r.sink);
  r.finish();
  return out;
}

describe('plain progress (BuildKit format)', () => {
  it('numbers vertices, prints CACHED, output lines with their time, DONE and ERROR', () => {
    const out = render((sink) => {
      sink({ type: 'vertex-cached', id: 'a', name: '[1/3] FROM busybox', time: 10 });
      sink({ type: 'vertex-start', id: 'b', name: '[2/3] RUN echo hi', time: 10 });
      sink({ type: 'vertex-log', id: 'b', stream: 1, data: Buffer.from('hel'), time: 10.1 });
      sink({ type: 'vertex-log', id: 'b', stream: 1, data: Buffer.from('lo\nworld\n'), time: 10.25 });
      sink({ type: 'vertex-done', id: 'b', time: 10.31 });
      sink({ type: 'vertex-start', id: 'c', name: '[3/3] RUN false', time: 11 });
      sink({ type: 'vertex-miss', id: 'c', reason: 'context file changed: a.txt', time: 11 });
      sink({ type: 'vertex-error', id: 'c', error: 'process "/bin/sh -c false" did not complete successfully: exit code: 1', time: 11.5 });
    });
    expect(out).toBe([
      '#1 [1/3] FROM busybox',
      '#1 CACHED',
      '',
      '#2 [2/3] RUN echo hi',
      '#2 0.250 hello',
      '#2 0.250 world',
      '#2 DONE 0.3s',
      '',
      '#3 [3/3] RUN false',
      '#3 MISS: context file changed: a.txt',
      '#3 ERROR: process "/bin/sh -c false" did not complete successfully: exit code: 1',
      '',
      '',
    ].join('\n'));
  });

  it('repeats the header when output of another vertex comes in between', () => {
    const out = render((sink) => {
      const a = new VertexProgress(sink, 'a', '[a 2/2] RUN x');
      const b = new VertexProgress(sink, 'b', '[b 2/2] RUN y');
      a.start();
      b.start();
      a.log(1, Buffer.from('from a\n'));
      a.done();
    });
    expect(out).toMatch(/^#1 \[a 2\/2\] RUN x\n\n#2 \[b 2\/2\] RUN y\n\n#1 \[a 2\/2\] RUN x\n#1 [\d.]+ from a\n#1 DONE [\d.]+s\n\n$/);
  });

  it('flushes a last line without a newline before DONE', () => {
    const out = render((sink) => {
      sink({ type: 'vertex-start', id: 'a', name: 'x', time: 1 });
      sink({ type: 'vertex-log', id: 'a', stream: 2, data: Buffer.from('no newline'), time: 1.5 });
      sink({ type: 'vertex-done', id: 'a', time: 2 });
    });
    expect(out).toBe('#1 x\n#1 1.000 no newline\n#1 DONE 1.0s\n\n');
  });
});
