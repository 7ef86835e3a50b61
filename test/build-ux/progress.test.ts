// Every progress mode through the real CLI on a busybox build from the testenv registry:
// plain (line by line against BuildKit's format), tty in a pseudo-terminal (script), auto,
// rawjson, quiet and -q.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../helpers/testenv.js';
import { BIN, tempDir } from '../solver/build/slipway.js';
import { slipway } from './cli.js';
import { renderScreen } from './screen.js';

let work: string;
let root: string;
let ctx: string;
let base: string;

beforeAll(() => {
  base = `${testEnv().registries.plain}/library/busybox:latest`;
  work = tempDir('ux-progress');
  root = path.join(work, 'root');
  ctx = path.join(work, 'ctx');
  mkdirSync(ctx);
  writeFileSync(path.join(ctx, 'a.txt'), 'a\n');
  writeFileSync(path.join(ctx, 'Dockerfile'),
    `FROM ${base}\nCOPY a.txt /a.txt\nARG V=1\nRUN echo one $V; sleep 0.05; echo two >&2\n`);
  // Warm: the base is pulled once, so later builds differ only in the RUN step.
  const warm = slipway(root, ['build', '-q', ctx]);
  expect(warm.status, warm.stderr).toBe(0);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('--progress=plain', () => {
  it('prints BuildKit plain output, checked line by line', () => {
    const r = slipway(root, ['build', '--progress=plain', '--build-arg', 'V=2', '-t', 'ux/plain:1', ctx]);
    expect(r.status, r.stderr).toBe(0);
    const expected: (string | RegExp)[] = [
      '#1 [internal] load build definition from Dockerfile',
      /^#1 transferring dockerfile: \d+B done$/,
      /^#1 DONE \d\.\ds$/,
      '',
      '#2 [internal] load .dockerignore',
      '#2 transferring context: 2B done',
      /^#2 DONE \d\.\ds$/,
      '',
      `#3 [internal] load metadata for ${base}`,
      /^#3 DONE \d\.\ds$/,
      '',
      new RegExp(`^#4 \\[1/3\\] FROM ${base.replace(/[.]/g, '\\.')}@sha256:[0-9a-f]{64}$`),
      '#4 CACHED',
      '',
      '#5 [internal] load build context',
      '#5 CACHED',
      '',
      '#6 [2/3] COPY a.txt /a.txt',
      '#6 CACHED',
      '',
      // Step names carry the expanded build args, as BuildKit's do.
      '#7 [3/3] RUN echo one 2; sleep 0.05; echo two >&2',
      /^#7 0\.\d{3} one 2$/,
      /^#7 0\.\d{3} two$/,
      /^#7 DONE \d\.\ds$/,
      '',
      '#8 exporting to image',
      /^#8 writing image sha256:[0-9a-f]{64} done$/,
      '#8 naming to docker.io/ux/plain:1 done',
      /^#8 DONE \d\.\ds$/,
      '',
    ];
    const lines = r.stderr.split('\n');
    expect(lines).toHaveLength(expected.length);
    expected.forEach((want, i) => {
      if (typeof want === 'string') expect(lines[i], `line ${i + 1}`).toBe(want);
      else expect(lines[i], `line ${i + 1}`).toMatch(want);
    });
    expect(r.stdout).toBe('');
  });

  it('auto is plain when stderr is not a terminal', () => {
    const r = slipway(root, ['build', ctx]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^#1 \[internal\] load build definition from Dockerfile\n/);
    expect(r.stderr).not.toContain('\x1b');
  });

  it('arrives whole and in order through a full, non-blocking stderr pipe', () => {
    // Progress is written to fd 2 directly (src/cli/stdio.ts); on EAGAIN the stream takes over.
    // perl fills the pipe, makes it non-blocking, and reads it only after a pause.
    const harness = `use Fcntl; pipe(my $r, my $w) or die; fcntl($w, F_SETFL, fcntl($w, F_GETFL, 0) | O_NONBLOCK);
      my $filled = 0; while (defined(my $n = syswrite($w, 'x' x 4096))) { $filled += $n }
      my $pid = fork(); if ($pid == 0) { close $r; open(STDERR, '>&', $w); open(STDOUT, '>', '/dev/null'); exec @ARGV; die }
      close $w; select(undef, undef, undef, 0.5); my $data = ''; while (sysread($r, my $buf, 65536)) { $data .= $buf }
      waitpid($pid, 0); print substr($data, $filled); exit($? >> 8);`;
    const args = ['--root', root, 'build', '--progress=plain', '--build-arg', 'V=nonblocking', '-t', 'ux/nonblocking:1', ctx];
    expect(slipway(root, args.slice(2)).status).toBe(0); // then both runs below are fully cached
    const normal = slipway(root, args.slice(2));
    const r = spawnSync('perl', ['-e', harness, BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stdout).toBe(0);
    const shape = (s: string) => s.replace(/\d+\.\d+s?/g, 'T');
    expect(shape(r.stdout)).toBe(shape(normal.stderr));
    expect(r.stdout).toMatch(/naming to docker.io\/ux\/nonblocking:1 done\n#\d+ DONE/);
  });
});

describe('--progress=tty', () => {
  function inTerminal(args: string[]): string {
    const cmd = [`stty cols 100 rows 40;`, BIN, '--root', root, 'build', ...args].map((a) => (a.endsWith(';') ? a : `'${a}'`)).join(' ');
    const env = { ...process.env };
    delete env.FORCE_COLOR;
    delete env.NO_COLOR;
    const r = spawnSync('script', ['-qfec', cmd, '/dev/null'], { encoding: 'utf8', env, timeout: 60_000 });
    expect(r.status, r.stdout).toBe(0);
    return r.stdout;
  }

  it('auto on a terminal draws the live view in colour and ends with the full list and a summary', () => {
    const raw = inTerminal(['--build-arg', 'V=3', '-t', 'ux/tty:1', ctx]);
    expect(raw).toContain('\x1b[34m'); // finished steps in blue
    expect(raw).toMatch(/\x1b\[\d+A/); // redrawn in place
    expect(raw).not.toMatch(/^#\d+ /m); // not the plain format
    const screen = renderScreen(raw);
    expect(screen[0]).toMatch(/^\[\+\] Building \d+\.\ds \(8\/8\) FINISHED$/);
    expect(screen.slice(1, 9).map((l) => l.replace(/ +\d+\.\ds$/, ''))).toEqual([
      ' => [internal] load build definition from Dockerfile',
      ' => [internal] load .dockerignore',
      ` => [internal] load metadata for ${base}`,
      expect.stringMatching(/^ => CACHED \[1\/3\] FROM /),
      ' => CACHED [internal] load build context',
      ' => CACHED [2/3] COPY a.txt /a.txt',
      ' => [3/3] RUN echo one 3; sleep 0.05; echo two >&2',
      ' => exporting to image',
    ]);
    expect(screen.at(-1)).toMatch(/^Build finished in \d+\.\ds: 8 steps, 3 cached$/);
    expect(screen).toHaveLength(10);
    for (const line of screen) expect(line.length).toBeLessThan(100);
  });

  it('a failure shows the ERROR step in red, then the error box below the view', () => {
    const bad = path.join(work, 'bad');
    mkdirSync(bad, { recursive: true });
    writeFileSync(path.join(bad, 'Dockerfile'), `FROM ${base}\nRUN echo last words; exit 7\n`);
    const cmd = `stty cols 100 rows 40; '${BIN}' --root '${root}' build --progress=tty '${bad}'`;
    const env = { ...process.env };
    delete env.NO_COLOR;
    const r = spawnSync('script', ['-qfec', cmd, '/dev/null'], { encoding: 'utf8', env, timeout: 60_000 });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('\x1b[31m');
    const screen = renderScreen(r.stdout);
    expect(screen).toContainEqual(expect.stringMatching(/^ => ERROR \[2\/2\] RUN echo last words; exit 7 +\d+\.\ds$/));
    expect(screen).toContainEqual(expect.stringMatching(/^Build failed after \d+\.\ds: \d+ steps, \d+ cached, 1 failed$/));
    const box = screen.indexOf('------');
    expect(screen.slice(box, box + 4)).toEqual(['------', ' > [2/2] RUN echo last words; exit 7:', expect.stringMatching(/^\d\.\d{3} last words$/), '------']);
    expect(screen.at(-1)).toBe('ERROR: failed to solve: process "/bin/sh -c echo last words; exit 7" did not complete successfully: exit code: 7');
  });

  it('forced on a pipe, prints only the final view (no cursor moves)', () => {
    const r = slipway(root, ['build', '--progress=tty', '-t', 'ux/pipe:1', ctx]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/\x1b\[\d*[AJK]/);
    expect(r.stderr).toMatch(/FINISHED\n/);
    expect(r.stderr).toMatch(/Build finished in \d+\.\ds: 8 steps, 4 cached\n$/);
  });
});

describe('rawjson, quiet and -q', () => {
  it('rawjson writes one SolveStatus-shaped JSON object per line, output in base64', () => {
    const r = slipway(root, ['build', '--progress=rawjson', '--build-arg', 'V=4', ctx]);
    expect(r.status, r.stderr).toBe(0);
    type Status = { vertexes?: { digest: string; name: string; completed?: string; cached?: boolean }[]; logs?: { vertex: string; data: string }[] };
    const events = r.stderr.trim().split('\n').map((l) => JSON.parse(l) as Status);
    const vertexes = events.flatMap((e) => e.vertexes ?? []);
    const run = vertexes.find((v) => v.name.startsWith('[3/3] RUN'))!;
    expect(run.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const output = events.flatMap((e) => e.logs ?? []).filter((l) => l.vertex === run.digest).map((l) => Buffer.from(l.data, 'base64').toString()).join('');
    expect(output).toContain('one 4\n');
    expect(vertexes.some((v) => v.digest === run.digest && v.completed && !v.cached)).toBe(true);
    expect(vertexes.some((v) => v.name === '[2/3] COPY a.txt /a.txt' && v.cached)).toBe(true);
  });

  it('--progress=quiet prints nothing; -q prints only the image id', () => {
    const quiet = slipway(root, ['build', '--progress=quiet', ctx]);
    expect(quiet.status, quiet.stderr).toBe(0);
    expect([quiet.stdout, quiet.stderr]).toEqual(['', '']);
    const q = slipway(root, ['build', '-q', '--build-arg', 'V=5', ctx]);
    expect(q.status, q.stderr).toBe(0);
    expect(q.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    expect(q.stderr).toBe('');
    const inspect = execFileSync(BIN, ['--root', root, 'image', 'inspect', q.stdout.trim()], { encoding: 'utf8' });
    expect((JSON.parse(inspect) as Array<{ Id: string }>)[0]!.Id).toBe(q.stdout.trim());
  });

  it('-q with an explicit --progress keeps that progress on stderr, stdout only the image id', () => {
    const r = slipway(root, ['build', '-q', '--progress=plain', ctx]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    expect(r.stderr).toMatch(/^#1 \[internal\] load build definition from Dockerfile\n/);
  });
});
