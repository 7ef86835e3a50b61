// ONBUILD triggers (BuildKit's initOnBuildTriggers): a base image's (or base stage's)
// triggers are parsed as instructions and run first in the child stage, reported at the
// child's FROM line; they may add stage dependencies (COPY --from).
import { parseInstruction } from '../instructions/index.js';
import type { Command } from '../instructions/types.js';
import { parseDockerfile } from '../parser/index.js';
import type { ConvertContext } from './context.js';
import type { DispatchState } from './dispatch-state.js';
import { errorAt } from './located-error.js';
import { toCommand } from './stage-graph.js';

/** Prepends the triggers to the stage's commands; true when they added dependencies. */
export function initOnBuildTriggers(ctx: ConvertContext, d: DispatchState, triggers: readonly string[]): boolean {
  let newDeps = false;
  const commands = triggers.map((trigger) => {
    let cmd: Command;
    try {
      const ast = parseDockerfile(trigger, { file: ctx.src.file });
      if (ast.children.length !== 1) throw new Error('onbuild trigger should be a single expression');
      const parsed = parseInstruction(ast.children[0]!, { file: ctx.src.file, source: trigger });
      if (parsed.kind === 'from') throw new Error('FROM isn\'t allowed as an ONBUILD trigger');
      cmd = { ...parsed, range: d.location };
    } catch (err) {
      throw errorAt(ctx.src, d.location, err instanceof Error ? new Error((err as { reason?: string }).reason ?? err.message) : err);
    }
    const sc = toCommand(ctx, d, cmd, true);
    if (sc.sources.some(Boolean)) newDeps = true;
    return sc;
  });
  d.commands = [...commands, ...d.commands];
  d.cmdTotal += commands.length;
  return newDeps;
}
