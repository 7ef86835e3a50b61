// Every keyword × many flag words × many argument shapes: each combination must give typed
// instructions (and survive expandInstruction) or fail with a DockerfileError — never crash.

import { describe, expect, it } from 'vitest';
import { DockerfileError } from '../../../src/frontend/dockerfile/errors.js';
import { INSTRUCTION_NAMES, expandInstruction, parseInstructions } from '../../../src/frontend/dockerfile/instructions/index.js';
import { parseDockerfile } from '../../../src/frontend/dockerfile/parser/index.js';

const KEYWORDS = [...INSTRUCTION_NAMES.map((k) => k.toUpperCase()), 'RUNN', 'bogus'];

const FLAGS = [
  '', '--', '--link', '--link=maybe', '--link=', '--from=0', '--from', '--chown=1:1', '--chmod=755', '--parents',
  '--exclude=*.md --exclude=x', '--checksum=sha256:0', '--keep-git-dir=true', '--unpack', '--platform=linux/amd64',
  '--network=none', '--network=x', '--security=insecure', '--interval=5s', '--interval=-1s', '--timeout=1d',
  '--start-period=0', '--start-interval=1.5ms', '--retries=x', '--retries=-2', '--mount=type=cache,target=/c',
  '--mount=type=secret', '--mount=type=secret,id=a,env=A', '--mount=type=ssh,required', '--mount=type=tmpfs,size=1x',
  '--mount=type=bind,from=$X', '--mount=type=bind,target=$T,z', '--mount="type=bind', '--mount=', '--mount=,,,',
  '--mount=type=cache,sharing=nope,mode=9', '--nope=1',
];

const ARGS = [
  '', 'x', 'a b', 'a AS b', 'a as 1b', 'A=1 B="2 3"', '=x', 'NONE', 'CMD', 'CMD ["a", "b"]', 'CMD a b', '[]', '["a"]',
  '["a", "b", "c"]', "['a']", '[1]', 'RUN echo', 'ONBUILD RUN x', 'FROM x', '<<EOF /d\nbody\nEOF', 'a <<EOF\nbody\nEOF',
  '80 53/udp 1-2/sctp', '$VAR', '"unterminated', 'PATH /bin:$PATH',
];

describe('instruction layer robustness', () => {
  it('gives instructions or a DockerfileError for every keyword × flags × arguments combination', () => {
    let ok = 0;
    let rejected = 0;
    const crashes: string[] = [];
    for (const kw of KEYWORDS) {
      for (const flags of FLAGS) {
        for (const args of ARGS) {
          const text = `FROM base\n${[kw, flags, args].filter((s) => s !== '').join(' ')}\n`;
          try {
            const { stages } = parseInstructions(parseDockerfile(text));
            const ctx = { file: 'Dockerfile', source: text };
            for (const s of stages) for (const c of s.commands) expandInstruction(c, (w) => w, ctx);
            ok++;
          } catch (err) {
            if (err instanceof DockerfileError) rejected++;
            else crashes.push(`${JSON.stringify(text)}: ${String(err)}`);
          }
        }
      }
    }
    console.log(`robustness: ${ok + rejected} combinations, ${ok} accepted, ${rejected} rejected with a DockerfileError`);
    expect(crashes).toEqual([]);
    expect(ok).toBeGreaterThan(500);
    expect(rejected).toBeGreaterThan(500);
  });
});
