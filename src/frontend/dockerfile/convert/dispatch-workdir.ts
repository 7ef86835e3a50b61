// WORKDIR: resolves against the previous working dir and creates the directory
// (mkdir -p, 0755, owned by the current USER) as its own step, as BuildKit does.
import { mkdir } from '../../../llb/fileop.js';
import type { WorkdirCommand } from '../instructions/types.js';
import type { ConvertContext } from './context.js';
import type { DispatchState } from './dispatch-state.js';
import { commitToHistory } from './history.js';
import { normalizeWorkdir } from './paths.js';
import { displayLine, prefixCommand } from './progress-name.js';
import { locationOf } from './source-location.js';
import { recordStep } from './steps.js';
import { stateEnv } from './state-env.js';

/** Sets the working dir; with `cmd` (a WORKDIR line) also creates it and records history. */
export function dispatchWorkdir(ctx: ConvertContext, d: DispatchState, path: string, cmd?: WorkdirCommand): void {
  const r = d.r;
  if (cmd) {
    // Only the first WORKDIR of the build matters: later relative ones follow from it.
    if (!r.workdirSet && !path.startsWith('/')) {
      ctx.lint.run('WorkdirRelativePath', `Relative workdir ${JSON.stringify(path)} can have unexpected results if the base image changes`, cmd.range);
    }
    r.workdirSet = true;
  }
  const wd = normalizeWorkdir(r.image.config.WorkingDir ?? '', path);
  r.image.config.WorkingDir = wd;
  r.state = r.state.dir(wd);
  if (!cmd) return;
  let withLayer = false;
  if (wd !== '/') {
    const user = r.image.config.User;
    const name = prefixCommand(d, displayLine(ctx.escapeToken, cmd.original, stateEnv(r.state)));
    r.state = r.state.file(
      mkdir(wd, 0o755, { makeParents: true, ...(user ? { owner: user } : {}), ...(ctx.epoch ? { timestamp: new Date(ctx.epoch) } : {}) }),
      { customName: name, location: locationOf(ctx, cmd.range) },
    );
    withLayer = true;
    recordStep(ctx, d, cmd);
  }
  commitToHistory(r.image, `WORKDIR ${wd}`, { withLayer, created: ctx.epoch });
}

