// Word expansion hook for the converter, after BuildKit's SupportsSingleWordExpansion:
// `expandInstruction(cmd, expand)` returns a copy with the expandable fields passed through
// `expand` (single-word mode), and RUN mounts interpreted from their expanded values.
//
// Fields expanded (BuildKit's Expand methods, as its dispatch applies them): ENV and LABEL
// keys and values; COPY/ADD sources, destination, --chown and --chmod (BuildKit v0.16+,
// buildkit#5151: its testCopyChmod builds `COPY --chmod=${mode}`); ADD --checksum; WORKDIR;
// USER; VOLUME; STOPSIGNAL; RUN --mount values.
// Left alone here, as in BuildKit: COPY --from (never expanded), --exclude (used as written),
// ARG (dispatch expands a default only when no --build-arg overrides it),
// FROM base name and --platform (expanded by the converter with the global ARGs only),
// EXPOSE (multi-word expansion, then parsePortSpec), CMD/ENTRYPOINT/RUN/SHELL/HEALTHCHECK
// command lines (the shell expands them at run time). COPY/ADD heredoc bodies are expanded
// separately, raw, by `expandSourceContents`.

import { DockerfileError } from '../errors.js';
import { parseMount, type SingleWordExpander } from './mounts.js';
import { toDockerfileError } from './syntax-error.js';
import type { AddCommand, CopyCommand, Instruction, KeyValuePair } from './types.js';

export type { SingleWordExpander } from './mounts.js';

const kvps = (pairs: KeyValuePair[], expand: SingleWordExpander): KeyValuePair[] =>
  pairs.map((p) => ({ key: expand(p.key), value: expand(p.value), noDelim: p.noDelim }));

function expandFields<T extends Instruction>(cmd: T, expand: SingleWordExpander): T {
  // TS narrows `cmd` per case; the spread keeps the concrete type.
  const c: Instruction = cmd;
  switch (c.kind) {
    case 'env':
      return { ...c, env: kvps(c.env, expand) } as T;
    case 'label':
      return { ...c, labels: kvps(c.labels, expand) } as T;
    case 'copy':
    case 'add': {
      const common = { chown: expand(c.chown), chmod: expand(c.chmod), sourcePaths: c.sourcePaths.map(expand), destPath: expand(c.destPath) };
      return (c.kind === 'add' ? { ...c, ...common, checksum: expand(c.checksum) } : { ...c, ...common }) as T;
    }
    case 'workdir':
      return { ...c, path: expand(c.path) } as T;
    case 'user':
      return { ...c, user: expand(c.user) } as T;
    case 'volume':
      return { ...c, volumes: c.volumes.map(expand) } as T;
    case 'stopsignal':
      return { ...c, signal: expand(c.signal) } as T;
    case 'run':
      return { ...c, mounts: c.mountSpecs.map((spec) => parseMount(spec, expand)) } as T;
    default:
      return cmd;
  }
}

/**
 * Expand `cmd`'s expandable fields with `expand` (e.g. the shell lexer's single-word
 * expansion with the stage's environment). Errors from the expander or from mount
 * validation become DockerfileErrors at the instruction's line.
 */
export function expandInstruction<T extends Instruction>(
  cmd: T,
  expand: SingleWordExpander,
  ctx: { file: string; source: string },
): T {
  try {
    return expandFields(cmd, expand);
  } catch (err) {
    if (err instanceof DockerfileError) throw err;
    throw toDockerfileError(err, { ...ctx, range: cmd.range });
  }
}

/**
 * BuildKit's ExpandRaw for COPY/ADD heredoc files: bodies whose delimiter was not quoted go
 * through `expandRaw` (BuildKit uses a lexer that keeps quotes: SkipProcessQuotes).
 */
export function expandSourceContents<T extends CopyCommand | AddCommand>(
  cmd: T,
  expandRaw: SingleWordExpander,
  ctx: { file: string; source: string },
): T {
  try {
    return { ...cmd, sourceContents: cmd.sourceContents.map((c) => (c.expand ? { ...c, data: expandRaw(c.data) } : c)) };
  } catch (err) {
    throw toDockerfileError(err, { ...ctx, range: cmd.range });
  }
}
