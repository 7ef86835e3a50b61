import { describe, expect, it } from 'vitest';
import { DockerfileError } from '../../../src/frontend/dockerfile/errors.js';
import { parseInstructions } from '../../../src/frontend/dockerfile/instructions/index.js';
import { dumpAST, parseDockerfile } from '../../../src/frontend/dockerfile/parser/index.js';
import { seededRandom } from '../../helpers/seeded-random.js';
import { loadCorpus } from './corpus-files.js';

const INSERTS = ['\\', '`', '"', "'", '[', ']', '<<', '<<-', '<<EOF', '\n', '\r\n', '#', ' --', '=', '${', '\ufeff', '\u00a0', '\x00', '\ud800', '# escape=`\n', '\\\n\n'];

function mutate(text: string, rnd: () => number): string {
  const pick = (n: number) => Math.floor(rnd() * n);
  let s = text;
  const steps = 1 + pick(4);
  for (let i = 0; i < steps; i++) {
    const at = pick(s.length + 1);
    switch (pick(5)) {
      case 0: // flip a character
        if (s.length > 0) s = s.slice(0, at) + String.fromCharCode(pick(128)) + s.slice(at + 1);
        break;
      case 1: {
        // delete or duplicate a line
        const lines = s.split('\n');
        const l = pick(lines.length);
        if (rnd() < 0.5) lines.splice(l, 1);
        else lines.splice(l, 0, lines[l] ?? '');
        s = lines.join('\n');
        break;
      }
      default:
        s = s.slice(0, at) + INSERTS[pick(INSERTS.length)] + s.slice(at);
    }
  }
  return s;
}

describe('parser fuzz', () => {
  it('never crashes on thousands of mutated corpus files: each gives instructions or a DockerfileError', () => {
    // Smaller files keep the run to a few seconds on a shared machine.
    const corpus = loadCorpus().filter((f) => f.text.length < 6000);
    const rnd = seededRandom(0x5eed);
    const runs = 4000;
    let parsed = 0;
    let rejected = 0;
    const crashes: string[] = [];
    for (let i = 0; i < runs; i++) {
      const base = corpus[Math.floor(rnd() * corpus.length)]!;
      const input = mutate(base.text, rnd);
      try {
        const ast = parseDockerfile(input);
        dumpAST(ast);
        expect(ast.children.length).toBeGreaterThan(0);
        // The issue asks for instructions or a DockerfileError, so go on to typed instructions.
        parseInstructions(ast);
        parsed++;
      } catch (err) {
        if (err instanceof DockerfileError) {
          // Every error must be renderable and point inside the file.
          err.format();
          rejected++;
        } else crashes.push(`${base.name} #${i}: ${String(err)}`);
      }
    }
    console.log(`parser fuzz: ${runs} mutations, ${parsed} parsed, ${rejected} rejected, ${crashes.length} crashes`);
    expect(crashes).toEqual([]);
    expect(parsed).toBeGreaterThan(runs / 2);
    expect(rejected).toBeGreaterThan(0);
  });
});
