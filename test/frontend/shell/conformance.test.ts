// BuildKit's shell-expansion corpus (frontend/dockerfile/shell/envVarTest and wordsTest),
// run with the same harness rules as upstream (see conformance/buildkit/README.md §2).
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { envFromList, ShellLex } from '../../../src/frontend/dockerfile/shell/index.js';
import { trimSpace } from '../../../src/frontend/dockerfile/shell/runes.js';
import { sharedPath } from '../../helpers/shared.js';

const corpus = sharedPath('conformance', 'buildkit', 'shell') + '/';

/** Lines as Go's bufio.Scanner yields them: split on \n, trailing \r dropped, no final empty line. */
function scanLines(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

interface Row {
  line: number;
  source: string;
  expected: string;
}

function envVarRows(): { run: Row[]; skipped: number } {
  const run: Row[] = [];
  let skipped = 0;
  scanLines(corpus + 'envVarTest').forEach((raw, i) => {
    if (raw.startsWith('#')) return;
    const line = trimSpace(raw);
    if (line === '') return;
    const fields = line.split('|');
    if (fields.length !== 3) throw new Error(`envVarTest:${i + 1}: expected 3 fields`);
    const [platform, source, expected] = fields.map(trimSpace) as [string, string, string];
    if (platform === 'W') skipped++;
    else if (platform === 'A' || platform === 'U') run.push({ line: i + 1, source, expected });
    else throw new Error(`envVarTest:${i + 1}: invalid platform ${platform}`);
  });
  return { run, skipped };
}

const present = existsSync(corpus + 'envVarTest') && existsSync(corpus + 'wordsTest');
const counts = { envVar: { pass: 0, total: 0 }, words: { pass: 0, total: 0 } };

describe('BuildKit shell corpus', () => {
  it('is available', () => {
    expect(present, `missing corpus at ${corpus}`).toBe(true);
  });

  describe('envVarTest (ProcessWord)', () => {
    const { run } = present ? envVarRows() : { run: [] };
    const env = envFromList(['PWD=/home', 'SHELL=bash', 'KOREAN=한국어', 'NULL=']);
    const lex = new ShellLex('\\');

    it('has the 228 Unix rows', () => {
      expect(run.length).toBe(228);
    });

    it.each(run.map((r) => [r.line, r.source, r.expected] as const))('line %i: %s → %s', (_line, source, expected) => {
      counts.envVar.total++;
      if (expected === 'error') {
        expect(() => lex.processWord(source, env)).toThrow(/^failed to process "/);
      } else {
        expect(lex.processWord(source, env)).toBe(expected);
        // The matches-reporting entry point must expand identically.
        expect(lex.processWordWithMatches(source, env).result).toBe(expected);
      }
      counts.envVar.pass++;
    });
  });

  describe('wordsTest (ProcessWords)', () => {
    const cases: { line: number; source: string; expected: string[]; env: string[] }[] = [];
    if (present) {
      const env: string[] = [];
      scanLines(corpus + 'wordsTest').forEach((line, i) => {
        if (line.startsWith('#')) return;
        if (line.startsWith('ENV ')) {
          env.push(line.slice(3).replace(/^ +/, ''));
          return;
        }
        const fields = line.split('|');
        if (fields.length !== 2) throw new Error(`wordsTest:${i + 1}: expected exactly one |`);
        cases.push({
          line: i + 1,
          source: trimSpace(fields[0]!),
          expected: fields[1]!.replace(/^ +/, '').split(','),
          env: [...env],
        });
      });
    }
    const lex = new ShellLex('\\');

    it('has the 24 rows', () => {
      expect(cases.length).toBe(24);
    });

    it.each(cases.map((c) => [c.line, c.source, c] as const))('line %i: %s', (_line, _source, c) => {
      counts.words.total++;
      let result: string[];
      try {
        result = lex.processWords(c.source, envFromList(c.env));
      } catch {
        result = ['error'];
      }
      expect(result).toEqual(c.expected);
      counts.words.pass++;
    });
  });

  afterAll(() => {
    console.log(
      `envVarTest: ${counts.envVar.pass}/${counts.envVar.total} passed (W rows skipped on Unix), ` +
        `wordsTest: ${counts.words.pass}/${counts.words.total} passed`,
    );
  });
});
