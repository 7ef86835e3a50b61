// RUN → an exec op over the stage's filesystem (BuildKit's dispatchRun): shell-form wrapped
// in the current SHELL, heredocs, mounts, --network/--security, proxy build args kept in the
// exec's proxy env, and the `RUN |N K=V … # buildkit` history entry.
import type { RunOptions } from '../../../llb/exec.js';
import type { Mount, RunCommand } from '../instructions/types.js';
import { parseMount } from '../instructions/index.js';
import type { ConvertContext } from './context.js';
import type { DispatchState } from './dispatch-state.js';
import { withShell } from './dispatch-config.js';
import { commitToHistory, runCommandString } from './history.js';
import { displayLine, prefixCommand } from './progress-name.js';
import { lowerRunHeredoc } from './run-heredoc.js';
import { lowerRunMounts } from './run-mounts.js';
import { locationOf } from './source-location.js';
import { stateEnv } from './state-env.js';
import { recordStep } from './steps.js';

/** The RUN's mounts, interpreted without expansion when the parser could not type them. */
export function runMounts(c: RunCommand): Mount[] {
  return c.mounts ?? c.mountSpecs.map((s) => parseMount(s));
}

export function dispatchRun(ctx: ConvertContext, d: DispatchState, c: RunCommand, sources: readonly (DispatchState | undefined)[]): void {
  const r = d.r;
  const platform = r.state.getPlatform();
  const lowered = lowerRunHeredoc(c, platform);
  let args = lowered.args;
  if (c.prependShell) args = withShell(r.image, args);

  const mounts = lowerRunMounts(ctx, d, runMounts(c), sources);
  const env = stateEnv(r.state);
  // Secret env values are shown masked in the step name, as BuildKit does.
  const masked = new Set(mounts.secretEnv.map((s) => s.name));
  const displayEnv = masked.size === 0 ? env : { get: (k: string) => (masked.has(k) ? '****' : env.get(k)), keys: () => [...env.keys(), ...masked] };
  const name = prefixCommand(d, displayLine(ctx.escapeToken, c.original + lowered.nameSuffix, displayEnv));

  const opts: RunOptions = {
    args,
    customName: name,
    description: { 'com.docker.dockerfile.v1.command': c.original },
    location: locationOf(ctx, c.range),
    mounts: [...lowered.mounts, ...mounts.mounts],
    security: c.security,
  };
  if (d.ignoreCache) opts.ignoreCache = true;
  if (ctx.proxyEnv) opts.proxyEnv = ctx.proxyEnv;
  if (mounts.secretEnv.length > 0) opts.secretEnv = mounts.secretEnv;
  if (c.network === 'none') opts.network = 'none';
  else if (c.network === 'host') opts.network = 'host';
  // The build's --ulimit, --add-host and --shm-size, in BuildKit's order (dispatchRun).
  const { ulimits, extraHosts, shmSize } = ctx.runOptions;
  if (ulimits.length > 0) opts.ulimits = ulimits.map((u) => ({ ...u }));
  if (extraHosts.length > 0) opts.extraHosts = extraHosts.map((h) => ({ ...h }));
  if (shmSize > 0) opts.mounts = [...(opts.mounts ?? []), { type: 'tmpfs', target: '/dev/shm', size: shmSize }];

  r.state = r.state.run(opts).root();
  recordStep(ctx, d, c);
  commitToHistory(r.image, `RUN ${runCommandString(args, r.buildArgs, env)}`, { withLayer: true, fromOp: true, created: ctx.epoch });
}
