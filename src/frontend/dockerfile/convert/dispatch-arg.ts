// ARG inside a stage (BuildKit's dispatchArg): the value is the --build-arg if given, else
// the default expanded with the stage's env, else the global ARG of the same name. A
// value reaches later expansions and RUN as an environment variable (never the image's Env).
import type { ArgCommand } from '../instructions/types.js';
import type { ConvertContext } from './context.js';
import type { DispatchState } from './dispatch-state.js';
import { commitToHistory } from './history.js';
import { checkSecretKey, checkUndefinedVars } from './lint.js';
import { stateEnv } from './state-env.js';

/** BuildKit's nonEnvArgs. */
const NON_ENV_ARGS = new Set(['BUILDKIT_SBOM_SCAN_CONTEXT', 'BUILDKIT_SBOM_SCAN_STAGE']);

export function dispatchArg(ctx: ConvertContext, d: DispatchState, c: ArgCommand): void {
  const r = d.r;
  const parts: string[] = [];
  for (const arg of c.args) {
    ctx.consumedArgs.add(arg.key);
    checkSecretKey(ctx.lint, 'ARG', arg.key, c.range);
    const given = ctx.buildArgs.get(arg.key);
    let value = arg.value;
    if (given !== undefined) value = given;
    else if (value !== undefined) {
      const env = stateEnv(r.state);
      const res = ctx.shlex.processWordWithMatches(value, env);
      checkUndefinedVars(ctx.lint, res.unmatched, r.buildArgs.map((a) => a.key), [...env.keys()], c.range);
      value = res.result;
    }
    else value = ctx.globalArgs.get(arg.key);

    // The SBOM scanner switches are read by the frontend, never put into the build's env.
    if (value !== undefined && !NON_ENV_ARGS.has(arg.key)) r.state = r.state.addEnv(arg.key, value);
    r.buildArgs.push({ key: arg.key, value });
    parts.push(value === undefined ? arg.key : `${arg.key}=${value}`);
  }
  commitToHistory(r.image, `ARG ${parts.join(' ')}`, { withLayer: false, created: ctx.epoch });
}
