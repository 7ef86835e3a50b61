import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DockerfileError } from '../../../src/frontend/dockerfile/errors.js';
import { dumpAST, parseDockerfile } from '../../../src/frontend/dockerfile/parser/index.js';
import { sharedPath } from '../../helpers/shared.js';

const base = sharedPath('conformance', 'buildkit', 'parser');
const positive = readdirSync(join(base, 'testfiles')).sort();
const negative = readdirSync(join(base, 'testfiles-negative')).sort();

describe('BuildKit parser corpus', () => {
  it('has the expected number of cases', () => {
    expect(positive).toHaveLength(33);
    expect(negative).toHaveLength(4);
  });

  it('dumps every positive case byte-exact and rejects every negative case', () => {
    let okPositive = 0;
    let okNegative = 0;
    const failures: string[] = [];
    for (const name of positive) {
      const src = readFileSync(join(base, 'testfiles', name, 'Dockerfile'), 'utf8');
      const want = readFileSync(join(base, 'testfiles', name, 'result'), 'utf8');
      try {
        const got = dumpAST(parseDockerfile(src)) + '\n';
        if (got === want) okPositive++;
        else failures.push(`${name}:\n--- got\n${got}--- want\n${want}`);
      } catch (err) {
        failures.push(`${name}: threw ${String(err)}`);
      }
    }
    for (const name of negative) {
      const src = readFileSync(join(base, 'testfiles-negative', name, 'Dockerfile'), 'utf8');
      try {
        parseDockerfile(src);
        failures.push(`${name}: parsed, expected an error`);
      } catch (err) {
        if (err instanceof DockerfileError) okNegative++;
        else failures.push(`${name}: threw a non-DockerfileError ${String(err)}`);
      }
    }
    console.log(`parser corpus: ${okPositive}/${positive.length} positive, ${okNegative}/${negative.length} negative`);
    expect(failures).toEqual([]);
  });

  it('gives the negative cases BuildKit\'s reasons', () => {
    const reason = (name: string) => {
      try {
        parseDockerfile(readFileSync(join(base, 'testfiles-negative', name, 'Dockerfile'), 'utf8'));
      } catch (err) {
        return (err as DockerfileError).reason;
      }
      return 'parsed';
    };
    expect(reason('empty_dockerfile')).toBe('file with no instructions');
    expect(reason('only_comments')).toBe('file with no instructions');
    expect(reason('env_no_value')).toBe('ENV must have two arguments');
    expect(reason('shykes-nested-json')).toBe('when using JSON array syntax, arrays must be comprised of strings only');
  });

  it('reports the line numbers of testfile-line', () => {
    const ast = parseDockerfile(readFileSync(join(base, 'testfile-line', 'Dockerfile'), 'utf8'));
    expect(ast.range.start.line).toBe(5);
    expect(ast.range.end.line).toBe(31);
    expect(ast.children.map((c) => [c.range.start.line, c.range.end.line])).toEqual([
      [5, 5],
      [11, 12],
      [17, 31],
    ]);
  });
});
