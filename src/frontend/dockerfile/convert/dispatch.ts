// One stage's instructions, in order (BuildKit's dispatchStages + dispatch): the stage
// starts from its base (image config env/workdir/user applied), then each command is
// expanded with the stage's environment and lowered by its dispatcher.
import { goJoin } from '../../../llb/go-path.js';
import type { NetMode } from '../../../llb/types.js';
import { expandInstruction } from '../instructions/index.js';
import type { Command } from '../instructions/types.js';
import { cloneImage, DEFAULT_PATH_ENV } from '../image-config.js';
import { ShellLex } from '../shell/index.js';
import type { ConvertContext } from './context.js';
import { dispatchArg } from './dispatch-arg.js';
import {
  dispatchCmd, dispatchEntrypoint, dispatchEnv, dispatchExpose, dispatchHealthcheck, dispatchLabel,
  dispatchMaintainer, dispatchOnbuild, dispatchShell, dispatchStopSignal, dispatchUser, dispatchVolume,
  setEnvEntry,
} from './dispatch-config.js';
import { dispatchCopy } from './dispatch-copy.js';
import { dispatchRun } from './dispatch-run.js';
import type { DispatchState, StageCommand } from './dispatch-state.js';
import { dispatchWorkdir } from './dispatch-workdir.js';
import { errorAt } from './located-error.js';
import { checkUndefinedVars } from './lint.js';
import { stateEnv } from './state-env.js';

/** Starts a stage's dispatch-pass data from its base stage or its resolved FROM. */
export function initStage(ctx: ConvertContext, d: DispatchState, network: NetMode | undefined): void {
  if (d.base) {
    const b = d.base.r;
    const image = cloneImage(b.image);
    // ONBUILD triggers do not carry over from the base stage: they run here instead.
    image.config.OnBuild = null;
    d.platform = d.base.platform;
    d.run = {
      state: b.state, image, cmdIndex: 0, cmdIsOnBuild: false, buildArgs: [...b.buildArgs], cmdSet: false,
      lastUse: new Map(), workdirSet: b.workdirSet, dispatched: false,
    };
  } else {
    d.run = {
      state: d.resolvedState!,
      image: cloneImage(d.resolvedImage!),
      cmdIndex: d.fromSteps,
      cmdIsOnBuild: false,
      buildArgs: [],
      cmdSet: false,
      lastUse: new Map(),
      workdirSet: false,
      dispatched: d.unregistered,
    };
    if (d.unregistered) return;
  }
  const r = d.r;
  const env = (r.image.config.Env ??= []);
  if (!env.some((e) => e.startsWith('PATH='))) setEnvEntry(env, 'PATH', DEFAULT_PATH_ENV);
  for (const e of env) {
    const eq = e.indexOf('=');
    r.state = eq < 0 ? r.state.addEnv(e, '') : r.state.addEnv(e.slice(0, eq), e.slice(eq + 1));
  }
  try {
    if (r.image.config.WorkingDir) dispatchWorkdir(ctx, d, r.image.config.WorkingDir);
    if (r.image.config.User) dispatchUser(ctx, d, r.image.config.User, false);
  } catch (err) {
    throw errorAt(ctx.src, d.location, err);
  }
  if (ctx.hostname) r.state = r.state.hostname(ctx.hostname);
  if (network) r.state = r.state.network(network);
}

export function dispatchStage(ctx: ConvertContext, d: DispatchState): void {
  for (const sc of d.commands) {
    try {
      dispatchCommand(ctx, d, sc);
    } catch (err) {
      throw errorAt(ctx.src, sc.cmd.range, err);
    }
  }
  d.r.dispatched = true;
}

function dispatchCommand(ctx: ConvertContext, d: DispatchState, sc: StageCommand): void {
  const r = d.r;
  r.cmdIsOnBuild = sc.isOnBuild;
  let cmd: Command = sc.cmd;
  const env = stateEnv(r.state);
  const unmatched = new Set<string>();
  const expand = (lex: ShellLex) => (w: string) => {
    const res = lex.processWordWithMatches(w, env);
    for (const u of res.unmatched) unmatched.add(u);
    return res.result;
  };
  // ARG defaults are expanded only when used (a --build-arg may replace them).
  if (cmd.kind !== 'arg') cmd = expandInstruction(cmd, expand(ctx.shlex), ctx.src);
  if ((cmd.kind === 'copy' || cmd.kind === 'add') && cmd.sourceContents.some((s) => s.expand)) {
    // Heredoc bodies expand variables but keep quotes (BuildKit's ExpandRaw).
    const lex = new ShellLex('\\');
    lex.skipProcessQuotes = true;
    const raw = expand(lex);
    cmd = { ...cmd, sourceContents: cmd.sourceContents.map((s) => (s.expand ? { ...s, data: raw(s.data) } : s)) };
  }
  checkUndefinedVars(ctx.lint, unmatched, r.buildArgs.map((a) => a.key), [...env.keys()], cmd.range);
  switch (cmd.kind) {
    case 'maintainer': return dispatchMaintainer(ctx, d, cmd);
    case 'env': return dispatchEnv(ctx, d, cmd);
    case 'run': return dispatchRun(ctx, d, cmd, sc.sources);
    case 'workdir': return dispatchWorkdir(ctx, d, cmd.path, cmd);
    case 'label': return dispatchLabel(ctx, d, cmd);
    case 'onbuild': return dispatchOnbuild(d, cmd);
    case 'cmd': return dispatchCmd(ctx, d, cmd);
    case 'entrypoint': return dispatchEntrypoint(ctx, d, cmd);
    case 'healthcheck': return dispatchHealthcheck(ctx, d, cmd);
    case 'expose': return dispatchExpose(ctx, d, cmd);
    case 'user': return dispatchUser(ctx, d, cmd.user, true);
    case 'volume': return dispatchVolume(ctx, d, cmd);
    case 'stopsignal': return dispatchStopSignal(ctx, d, cmd);
    case 'shell': return dispatchShell(ctx, d, cmd);
    case 'arg': return dispatchArg(ctx, d, cmd);
    case 'add':
      dispatchCopy(ctx, d, cmd, ctx.buildContext);
      for (const src of cmd.sourcePaths) {
        if (!src.startsWith('http://') && !src.startsWith('https://')) d.ctxPaths.add(goJoin('/', src));
      }
      return;
    case 'copy': {
      const from = sc.sources[0];
      if (!from) {
        dispatchCopy(ctx, d, cmd, ctx.buildContext);
        for (const src of cmd.sourcePaths) d.ctxPaths.add(goJoin('/', src));
        return;
      }
      if (!from.run?.dispatched) {
        throw new Error(`cannot copy from stage ${JSON.stringify(cmd.from)}, it needs to be defined before current stage ${JSON.stringify(d.stageName)}`);
      }
      return dispatchCopy(ctx, d, cmd, from.r.state);
    }
  }
}
