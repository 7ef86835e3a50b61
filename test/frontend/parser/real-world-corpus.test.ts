import { describe, expect, it } from 'vitest';
import { DockerfileError } from '../../../src/frontend/dockerfile/errors.js';
import { parseDockerfile } from '../../../src/frontend/dockerfile/parser/index.js';
import { expectedToFail, loadCorpus } from './corpus-files.js';

describe('real-world Dockerfile corpus (AST level)', () => {
  const corpus = loadCorpus();

  it('parses every file except the BuildKit negative cases, which fail with a DockerfileError', () => {
    let parsed = 0;
    let rejected = 0;
    let instructions = 0;
    const problems: string[] = [];
    for (const { name, text } of corpus) {
      try {
        const ast = parseDockerfile(text, { file: name });
        instructions += ast.children.length;
        if (expectedToFail(name)) problems.push(`${name}: parsed, expected an error`);
        else parsed++;
      } catch (err) {
        if (!(err instanceof DockerfileError)) problems.push(`${name}: crashed: ${String(err)}`);
        else if (expectedToFail(name)) rejected++;
        else problems.push(`${name}: ${err.message}`);
      }
    }
    console.log(
      `parser real-world corpus: ${parsed}/${corpus.length - 4} parsed (${instructions} instructions), ` +
        `${rejected}/4 expected failures rejected`,
    );
    expect(corpus.length).toBe(398);
    expect(problems).toEqual([]);
    expect(parsed + rejected).toBe(corpus.length);
  });

  it('finds the heredocs the corpus uses and terminates each', () => {
    const withHeredocs = corpus.filter(({ name, text }) => !expectedToFail(name) && /<<-?['"]?[A-Za-z_]+/.test(text));
    let heredocs = 0;
    for (const { name, text } of withHeredocs) {
      for (const n of parseDockerfile(text, { file: name }).children) heredocs += n.heredocs.length;
    }
    expect(withHeredocs.length).toBeGreaterThan(0);
    expect(heredocs).toBeGreaterThan(0);
  });
});
