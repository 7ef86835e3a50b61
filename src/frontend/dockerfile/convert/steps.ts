// Which instruction made which op, with the build args it saw: the solver's
// --explain-cache names a changed build arg or instruction from this.
import type { Command } from '../instructions/types.js';
import type { ConvertContext } from './context.js';
import type { DispatchState } from './dispatch-state.js';

export function recordStep(ctx: ConvertContext, d: DispatchState, cmd: Command): void {
  const out = d.r.state.output();
  if (!out) return;
  const buildArgs: Record<string, string> = {};
  for (const a of d.r.buildArgs) buildArgs[a.key] = d.r.state.getEnv(a.key) ?? a.value ?? '';
  ctx.steps.push({
    digest: out.vertex.digest,
    stage: d.stageName || d.stage?.name || `stage-${d.stage?.index ?? 0}`,
    line: cmd.range.start.line,
    instruction: cmd.original,
    buildArgs,
  });
}
