// Checks BuildKit runs over the whole file before converting (instructions.Parse,
// validateStageNames, validateCommandCasing, parser warnings).
import type { DockerfileAST } from '../ast.js';
import type { Stage } from '../instructions/types.js';
import type { Linter } from './lint.js';

const RESERVED_STAGE_NAMES = new Set(['context', 'scratch']);

export function lintFile(lint: Linter, ast: DockerfileAST, stages: readonly Stage[]): void {
  for (const w of ast.warnings) {
    if (/^Empty continuation line/.test(w.message)) lint.run('NoEmptyContinuation', 'Empty continuation line', w.range);
  }
  const seen = new Set<string>();
  for (const st of stages) {
    const node = st.from.node;
    const [, as, name] = node.args;
    if (name !== undefined && as !== undefined) {
      if (name !== name.toLowerCase()) lint.run('StageNameCasing', `Stage name '${name}' should be lowercase`, st.from.range);
      const from = node.keywordAsWritten;
      const fromLower = from === from.toLowerCase();
      const fromUpper = from === from.toUpperCase();
      if ((fromLower && as !== as.toLowerCase()) || (!fromLower && fromUpper && as !== as.toUpperCase())) {
        lint.run('FromAsCasing', `'${as}' and '${from}' keywords' casing do not match`, st.from.range);
      }
    }
    for (const c of st.commands) {
      if (c.kind === 'maintainer') lint.run('MaintainerDeprecated', 'Maintainer instruction is deprecated in favor of using label', c.range);
    }
  }
  for (const st of stages) {
    if (st.name === '') continue;
    if (RESERVED_STAGE_NAMES.has(st.name)) lint.run('ReservedStageName', `Stage name should not use the same name as reserved stage ${JSON.stringify(st.name)}`, st.from.range);
    if (seen.has(st.name)) lint.run('DuplicateStageName', `Duplicate stage name ${JSON.stringify(st.name)}, stage names should be unique`, st.from.range);
    seen.add(st.name);
  }
  lintCommandCasing(lint, stages);
}

const selfConsistent = (s: string) => s === s.toLowerCase() || s === s.toUpperCase();

/** All instructions should share one casing (BuildKit's validateCommandCasing). */
function lintCommandCasing(lint: Linter, stages: readonly Stage[]): void {
  const all = stages.flatMap((st) => [st.from, ...st.commands]);
  let lower = 0;
  let upper = 0;
  for (const c of all) {
    const k = c.node.keywordAsWritten;
    if (!selfConsistent(k)) continue;
    if (k === k.toLowerCase()) lower++;
    else upper++;
  }
  const majorityLower = lower > upper;
  const correct = majorityLower ? 'lowercase' : 'uppercase';
  for (const c of all) {
    const k = c.node.keywordAsWritten;
    const wrong = !selfConsistent(k) || (majorityLower ? k !== k.toLowerCase() : k !== k.toUpperCase());
    if (wrong) lint.run('ConsistentInstructionCasing', `Command '${k}' should match the case of the command majority (${correct})`, c.range);
  }
}
