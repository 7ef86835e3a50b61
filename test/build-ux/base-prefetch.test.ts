import { describe, expect, it } from 'vitest';
import { prefetchableBases } from '../../src/cli/commands/build-base-prefetch.js';

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
