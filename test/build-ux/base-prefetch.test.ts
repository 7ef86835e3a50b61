import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { prefetchableBases } from '../../src/cli/commands/build-base-prefetch.js';
import { slipwayAsync } from './cli.js';

const df = (...lines: string[]) => `${lines.join('\n')}\n`;

describe('prefetchableBases', () => {
  it('takes the bases of the stages the last stage needs', () => {
    expect(prefetchableBases(df(
      'FROM 127.0.0.1:5000/library/busybox:latest AS a',
      'RUN echo a > /a',
      'FROM 127.0.0.1:5000/library/busybox:latest',
      'COPY --from=a /a /a',
    ), undefined)).toEqual(['127.0.0.1:5000/library/busybox:latest']);
  });

  it('follows FROM <stage>, COPY/ADD --from (name or index) and RUN --mount from=, and nothing else', () => {
    const text = df(
      '# syntax=docker/dockerfile:1',
      'FROM alpine:3 AS base',
      'FROM golang AS unused',
      'FROM debian AS mounted',
      'FROM ubuntu AS indexed',
      'FROM base AS build',
      'RUN --mount=type=cache,target=/c \\',
      '    --mount=type=bind,from=mounted,target=/m true',
      'ADD --chown=1 --from=3 /x /x',
      'FROM scratch',
      'COPY --from=build /out /',
    );
    expect(prefetchableBases(text, undefined).sort()).toEqual(['alpine:3', 'debian', 'ubuntu']);
    expect(prefetchableBases(text, 'UNUSED')).toEqual(['golang']);
    expect(prefetchableBases(text, 'nosuchstage')).toEqual([]);
  });

  it('leaves out what it cannot follow exactly', () => {
    expect(prefetchableBases(df('ARG V=3', 'FROM alpine:$V'), undefined)).toEqual([]);
    expect(prefetchableBases(df('FROM --platform=$BUILDPLATFORM alpine'), undefined)).toEqual([]);
    expect(prefetchableBases(df('FROM alpine AS a b'), undefined)).toEqual([]);
    expect(prefetchableBases(df('# escape=`', 'FROM alpine'), undefined)).toEqual([]);
    expect(prefetchableBases(df('FROM alpine', 'RUN <<EOF', 'FROM evil', 'EOF'), undefined)).toEqual([]);
    // An image named in COPY --from is not a stage: the converter resolves it.
    expect(prefetchableBases(df('FROM scratch', 'COPY --from=nginx:latest /x /x'), undefined)).toEqual([]);
    // A stage named later is not the one a FROM refers to.
    expect(prefetchableBases(df('FROM later', 'FROM alpine AS later', 'FROM scratch', 'COPY --from=0 / /'), undefined)).toEqual(['later']);
  });

  it('joins continued lines and skips comments inside them', () => {
    expect(prefetchableBases(df('FROM \\', '# a comment', '', '  busybox \\', '  AS b'), 'b')).toEqual(['busybox']);
  });
});

describe('early base lookups', () => {
  it('a registry that never answers does not keep a build whose Dockerfile fails to convert alive', async () => {
    const server: Server = createServer(() => { /* never answers */ });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const dir = mkdtempSync(path.join(tmpdir(), 'slipway-early-'));
    try {
      writeFileSync(path.join(dir, 'Dockerfile'), df(`FROM 127.0.0.1:${port}/lib/x:1`, 'BOGUSINSTR foo'));
      const start = Date.now();
      const r = await slipwayAsync(path.join(dir, 'root'), ['build', dir]);
      expect(r.stderr).toContain('unknown instruction: BOGUSINSTR');
      expect(r.status).not.toBe(0);
      // Before: the early manifest request held the process until its 60 s timeout, retried.
      expect(Date.now() - start).toBeLessThan(10_000);
    } finally {
      server.closeAllConnections();
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
