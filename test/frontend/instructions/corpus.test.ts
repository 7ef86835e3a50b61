// Every real-world Dockerfile in the shared corpus goes through the parser and the
// instruction layer; the files the corpus README names as expected to fail must be
// rejected with a DockerfileError, all others must succeed.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DockerfileError } from '../../../src/frontend/dockerfile/errors.js';
import { parseInstructions } from '../../../src/frontend/dockerfile/instructions/index.js';
import { parseDockerfile } from '../../../src/frontend/dockerfile/parser/index.js';
import { sharedPath } from '../../helpers/shared.js';

const dir = sharedPath('corpus', 'dockerfiles');
const files = readdirSync(dir).sort();

/** corpus/README.md, "Files expected to fail". */
function expectedToFail(name: string): boolean {
  return (
    name.startsWith('moby__buildkit__frontend__dockerfile__parser__testfiles-negative__') ||
    name === 'containers__buildah__tests__bud__unrecognized__Dockerfile'
  );
}

/**
 * Files the README does not list, but that BuildKit's own instructions.Parse rejects too:
 * BuildKit's AST-only parser test inputs (never meant to build) and compose's deliberately
 * broken fixture. Each must fail with BuildKit's reason.
 */
const P = 'moby__buildkit__frontend__dockerfile__parser__testfiles__';
const rejectedByBuildKit: Readonly<Record<string, string>> = {
  'docker__compose__pkg__e2e__fixtures__wrong-composefile__service1__Dockerfile': 'unknown instruction: WRONG',
  [`${P}flags__Dockerfile`]: 'unknown flag: --user (allowed: --chown, --chmod, --from, --link, --parents, --exclude)',
  [`${P}health__Dockerfile`]: 'HEALTHCHECK requires at least one argument',
  [`${P}json__Dockerfile`]: 'no build stage in current context',
  [`${P}jeztah-invalid-json-json-inside-string-double__Dockerfile`]: 'no build stage in current context',
  [`${P}jeztah-invalid-json-json-inside-string__Dockerfile`]: 'no build stage in current context',
  [`${P}jeztah-invalid-json-single-quotes__Dockerfile`]: 'no build stage in current context',
  [`${P}jeztah-invalid-json-unterminated-bracket__Dockerfile`]: 'no build stage in current context',
  [`${P}jeztah-invalid-json-unterminated-string__Dockerfile`]: 'no build stage in current context',
};

describe('real-world corpus through parseDockerfile + parseInstructions', () => {
  it('has all 398 files', () => {
    expect(files).toHaveLength(398);
    expect(files.filter(expectedToFail)).toHaveLength(5);
    for (const name of Object.keys(rejectedByBuildKit)) expect(files).toContain(name);
  });

  it('parses every file except the expected failures, which fail with a DockerfileError', () => {
    let parsed = 0;
    let rejected = 0;
    let rejectedLikeBuildKit = 0;
    let stages = 0;
    let instructions = 0;
    const problems: string[] = [];
    for (const name of files) {
      const text = readFileSync(join(dir, name), 'utf8');
      const bad = expectedToFail(name);
      const buildKitReason = rejectedByBuildKit[name];
      try {
        const result = parseInstructions(parseDockerfile(text, { file: name }));
        if (bad || buildKitReason) problems.push(`${name}: parsed, expected a DockerfileError`);
        else parsed++;
        stages += result.stages.length;
        instructions += result.metaArgs.length + result.stages.reduce((n, s) => n + 1 + s.commands.length, 0);
      } catch (err) {
        if (!(err instanceof DockerfileError)) problems.push(`${name}: non-DockerfileError ${String(err)}`);
        else if (buildKitReason !== undefined) {
          if (err.reason === buildKitReason) rejectedLikeBuildKit++;
          else problems.push(`${name}: reason ${JSON.stringify(err.reason)}, want ${JSON.stringify(buildKitReason)}`);
        } else if (!bad) problems.push(`${name}: ${err.message}`);
        else rejected++;
      }
    }
    const extra = Object.keys(rejectedByBuildKit).length;
    const total = files.length - 5 - extra;
    console.log(
      `corpus: ${parsed}/${total} parse, ${rejected}/5 expected failures rejected, ` +
        `${rejectedLikeBuildKit}/${extra} parser-only/broken files rejected with BuildKit's reason ` +
        `(${stages} stages, ${instructions} instructions)`,
    );
    expect(problems).toEqual([]);
    expect(parsed).toBe(total);
    expect(rejected).toBe(5);
    expect(rejectedLikeBuildKit).toBe(extra);
  });

  it('rejects buildah\'s BOGUS instruction with BuildKit\'s message and its line', () => {
    const name = 'containers__buildah__tests__bud__unrecognized__Dockerfile';
    const text = readFileSync(join(dir, name), 'utf8');
    const err = (() => {
      try {
        parseInstructions(parseDockerfile(text, { file: name }));
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(DockerfileError);
    const e = err as DockerfileError;
    expect(e.reason).toBe('unknown instruction: BOGUS');
    const line = text.split('\n').findIndex((l) => l.startsWith('BOGUS')) + 1;
    expect(e.line).toBe(line);
    expect(e.format()).toContain(`>>> BOGUS`);
  });
});
