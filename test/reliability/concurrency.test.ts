// Concurrency on one --root: overlapping builds at once give the sequential results; image
// prune and rmi looping beside a build never delete what the build is using.
import { afterAll, describe, expect, it } from 'vitest';
import { Scratch, base, errorLines, fsckRoot, slipway } from './harness.js';

const scratch = new Scratch();
afterAll(() => scratch.cleanup());

/** Four Dockerfiles sharing the base and their first steps. */
function overlapping(): Record<string, string> {
  const from = `FROM ${base()}\n`;
  const shared = 'RUN echo shared > /s && sleep 0.3\n';
  return {
    'a.Dockerfile': `${from}${shared}RUN echo a > /a\n`,
    'b.Dockerfile': `${from}${shared}RUN echo b > /b\n`,
    'c.Dockerfile': `${from}${shared}COPY f /f\nRUN cat /f /s > /cs\n`,
    'd.Dockerfile': `${from}${shared}RUN echo a > /a\nRUN echo d > /d\n`,
    f: 'context file\n',
  };
}

const NAMES = ['a', 'b', 'c', 'd'];

describe('concurrency on one root', () => {
  it('four overlapping builds at once all succeed with the sequential results', async () => {
    const ctx = scratch.context('conc-ctx', overlapping());
    const shared = scratch.dir('conc-shared');
    const seq = scratch.dir('conc-seq');
    const build = (root: string, n: string) => slipway(root, ['build', '-q', '-f', `${ctx}/${n}.Dockerfile`, '-t', `conc:${n}`, ctx], { timeoutMs: 90_000 });

    const together = await Promise.all(NAMES.map((n) => build(shared, n)));
    for (const r of together) expect(r.status, r.stderr).toBe(0);
    const sequential = [];
    for (const n of NAMES) sequential.push(await build(seq, n));
    for (const r of sequential) expect(r.status, r.stderr).toBe(0);
    expect(together.map((r) => r.stdout)).toEqual(sequential.map((r) => r.stdout));
    expect(new Set(together.map((r) => r.stdout)).size).toBe(4);
    expect(errorLines(fsckRoot(shared))).toEqual([]);
  }, 150_000);

  // Each round starts from an empty root, so the base is pulled while the loop runs (the
  // window between the pull and the build's lease): the build leases the base before pullImage's
  // own lease ends and before it reads local blobs, so an rmi + gc in between deletes nothing.
  it('image prune -a and rmi looping beside builds never delete what they use', async () => {
    const ctx = scratch.context('prune-ctx', {
      Dockerfile: `FROM ${base()}\nRUN dd if=/dev/zero of=/z bs=1M count=4 2>/dev/null\nCOPY f /f\nRUN for i in 1 2 3; do cp /z /z$i; done\n`,
      f: 'x\n',
    });
    const clean = scratch.dir('prune-clean');
    const ref = await slipway(clean, ['build', '-q', '-t', 'prune:test', ctx]);
    expect(ref.status, ref.stderr).toBe(0);

    for (let round = 0; round < 4; round++) {
      const root = scratch.dir('prune-root');
      let building = true;
      let loops = 0;
      const gc = (async () => {
        while (building) {
          const p = await slipway(root, ['image', 'prune', '-a', '-f']);
          expect(p.status, p.stderr).toBe(0);
          // rmi of the base the build pulls (absent before the pull and after a prune: fine)
          await slipway(root, ['rmi', '-f', base()]);
          loops++;
        }
      })();
      const r = await slipway(root, ['build', '-q', '-t', 'prune:test', ctx], { timeoutMs: 90_000 });
      building = false;
      await gc;
      expect(r.status, `round ${round}: ${r.stderr}`).toBe(0);
      expect(r.stdout).toBe(ref.stdout);
      expect(loops).toBeGreaterThanOrEqual(1);
      expect(errorLines(fsckRoot(root))).toEqual([]);
    }
  }, 150_000);

  // The build cache holds the registry blobs of the base layers it unpacked (standing leases),
  // as BuildKit's cache does: otherwise the exporter would re-tar the base snapshot with a new
  // diffID and the fully cached rebuild would be a different image.
  it('a fully cached rebuild after image prune -a gives the same image id', async () => {
    const ctx = scratch.context('reprune-ctx', { Dockerfile: `FROM ${base()}\nRUN echo hi > /z\nCOPY f /f\n`, f: 'x\n' });
    const root = scratch.dir('reprune-root');
    const first = await slipway(root, ['build', '-q', '-t', 'reprune:test', ctx]);
    expect(first.status, first.stderr).toBe(0);
    const p = await slipway(root, ['image', 'prune', '-a', '-f']);
    expect(p.status, p.stderr).toBe(0);
    const again = await slipway(root, ['build', '-q', '-t', 'reprune:test', ctx]);
    expect(again.status, again.stderr).toBe(0);
    expect(errorLines(fsckRoot(root))).toEqual([]);
    expect(again.stdout).toBe(first.stdout);
  });
});
