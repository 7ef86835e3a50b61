// COPY / ADD filesystem results built end to end (the testenv registry's busybox), each
// checked against what current BuildKit gives (testdata/diff/cp-* cases).
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { slipwayBuild, tempDir } from './slipway.js';

describe('COPY and ADD into the destination filesystem', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('context files under a setgid directory: created parents keep the setgid bit and group, entries are 0:0', () => {
    const root = tempDir('cp-root');
    const ctx = tempDir('cp-ctx');
    const out = tempDir('cp-out');
    dirs.push(root, ctx, out);
    writeFileSync(path.join(ctx, 'f'), 'f\n');
    mkdirSync(path.join(ctx, 'd'));
    writeFileSync(path.join(ctx, 'd', 'g'), 'g\n');
    writeFileSync(path.join(ctx, 'Dockerfile'), [
      'FROM 127.0.0.1:5100/library/busybox:latest',
      'RUN mkdir /sg && chown 0:50 /sg && chmod 2775 /sg',
      'COPY f /sg/new/deeper/',
      'COPY d /sg/dir/',
      'WORKDIR /sg/wd',
      '',
    ].join('\n'));
    // Owners from a tar: a type=local output is owned by the user running the build (as buildx).
    const r = slipwayBuild(root, ['-o', `type=tar,dest=${out}.tar`, ctx]);
    expect(r.status, r.stderr).toBe(0);
    execFileSync('tar', ['--numeric-owner', '-xpf', `${out}.tar`, '-C', out]);
    rmSync(`${out}.tar`, { force: true });
    const st = (p: string): string => {
      const s = lstatSync(path.join(out, p));
      return `${(s.mode & 0o7777).toString(8)} ${s.uid}:${s.gid}`;
    };
    expect(st('sg/new')).toBe('2755 0:50');
    expect(st('sg/new/deeper')).toBe('2755 0:50');
    expect(st('sg/new/deeper/f')).toBe('644 0:0');
    expect(st('sg/dir')).toBe('2755 0:50');
    expect(st('sg/dir/g')).toBe('644 0:0');
    expect(st('sg/wd')).toBe('2755 0:50');
  });

  it('COPY --from a stage whose RUN made names that are not valid UTF-8 copies the bytes', () => {
    const root = tempDir('cp-root');
    const ctx = tempDir('cp-ctx');
    const out = tempDir('cp-out');
    dirs.push(root, ctx, out);
    writeFileSync(path.join(ctx, 'Dockerfile'), [
      'FROM 127.0.0.1:5100/library/busybox:latest AS s',
      `RUN mkdir -p "/n/d$(printf '\\377')" && echo x > "/n/caf$(printf '\\351')" && echo y > "/n/d$(printf '\\377')/f" && mkfifo "/n/p$(printf '\\351')"`,
      'FROM 127.0.0.1:5100/library/busybox:latest',
      'COPY --from=s /n /n/',
      '',
    ].join('\n'));
    const r = slipwayBuild(root, ['-o', `type=local,dest=${out}`, ctx]);
    expect(r.status, r.stderr).toBe(0);
    const n = Buffer.from(path.join(out, 'n') + '/');
    const names = readdirSync(n, { encoding: 'buffer' }).map((b) => b.toString('latin1')).sort();
    expect(names).toEqual(['caf\xe9', 'd\xff', 'p\xe9']);
    expect(readFileSync(Buffer.concat([n, Buffer.from('caf\xe9', 'latin1')]), 'utf8')).toBe('x\n');
    expect(readFileSync(Buffer.concat([n, Buffer.from('d\xff/f', 'latin1')]), 'utf8')).toBe('y\n');
    expect(lstatSync(Buffer.concat([n, Buffer.from('p\xe9', 'latin1')])).isFIFO()).toBe(true);
  });
});
