// Progress names of ops, e.g. `[stage-0 2/5] RUN make`, as BuildKit's prefixCommand:
// the stage name (omitted when the build has a single stage), the step number padded to
// the width of the total, and `ONBUILD ` for steps that come from a base image's trigger.
import type { EnvGetter } from '../shell/index.js';
import { ShellLex } from '../shell/index.js';
import type { DispatchState } from './dispatch-state.js';

/** The next step's name; advances the stage's step counter. */
export function prefixCommand(d: DispatchState, text: string): string {
  if (d.cmdTotal === 0) return text;
  const r = d.r;
  r.cmdIndex++;
  return formatStep(d.stageName, r.cmdIndex, d.cmdTotal, r.cmdIsOnBuild, text);
}

/** `[name i/total] text`, the index padded to the width of the total. */
export function formatStep(stageName: string, index: number, total: number, onBuild: boolean, text: string): string {
  let out = '[';
  if (stageName !== '') out += `${stageName} `;
  const width = Math.floor(1 + Math.log10(total));
  out += `${String(index).padStart(width)}/${total}] `;
  if (onBuild) out += 'ONBUILD ';
  return out + text;
}

/** The instruction line with variables expanded for display; unset ones stay as written. */
export function displayLine(escapeToken: '\\' | '`', line: string, env: EnvGetter): string {
  const lex = new ShellLex(escapeToken);
  lex.rawQuotes = true;
  lex.skipUnsetEnv = true;
  let expanded = line;
  try {
    expanded = lex.processWord(line, env);
  } catch {
    // BuildKit shows the line as written when it cannot be expanded.
  }
  const sp = expanded.indexOf(' ');
  return sp < 0 ? expanded.toUpperCase() : expanded.slice(0, sp).toUpperCase() + expanded.slice(sp);
}
