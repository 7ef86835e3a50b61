// Instructions that only change the image config (and the stage's env/user): ENV, LABEL,
// MAINTAINER, USER, VOLUME, STOPSIGNAL, SHELL, EXPOSE, HEALTHCHECK, CMD, ENTRYPOINT, ONBUILD.
// Each commits an `empty_layer` history entry worded as BuildKit's dispatchers word it.
import type {
  CmdCommand, EntrypointCommand, EnvCommand, ExposeCommand, HealthcheckCommand, LabelCommand,
  MaintainerCommand, OnbuildCommand, ShellCommand, StopSignalCommand, UserCommand, VolumeCommand,
} from '../instructions/types.js';
import { parsePortSpecs } from '../instructions/index.js';
import type { HealthConfig, Image } from '../image-config.js';
import type { ConvertContext } from './context.js';
import type { DispatchState } from './dispatch-state.js';
import { goDuration, goList, goQuoteList } from './go-format.js';
import { commitToHistory } from './history.js';
import { validateSignal } from './signal.js';
import { checkSecretKey } from './lint.js';
import { stateEnv } from './state-env.js';

function commit(ctx: ConvertContext, d: DispatchState, createdBy: string): void {
  commitToHistory(d.r.image, createdBy, { withLayer: false, created: ctx.epoch });
}

/** Replaces `k` in a `K=V` list in place, or appends it (BuildKit's addEnv). */
export function setEnvEntry(env: string[], k: string, v: string): string[] {
  const i = env.findIndex((e) => (e.includes('=') ? e.slice(0, e.indexOf('=')) : e) === k);
  if (i >= 0) env[i] = `${k}=${v}`;
  else env.push(`${k}=${v}`);
  return env;
}

/** The current SHELL (or /bin/sh -c) followed by the command line joined by spaces. */
export function withShell(img: Image, args: readonly string[]): string[] {
  const shell = img.config.Shell && img.config.Shell.length > 0 ? [...img.config.Shell] : ['/bin/sh', '-c'];
  return [...shell, args.join(' ')];
}

export function dispatchEnv(ctx: ConvertContext, d: DispatchState, c: EnvCommand): void {
  const r = d.r;
  let msg = 'ENV';
  for (const e of c.env) {
    if (e.noDelim) ctx.lint.run('LegacyKeyValueFormat', legacyFormat(c.node.keywordAsWritten), c.range);
    checkSecretKey(ctx.lint, 'ENV', e.key, c.range);
    msg += ` ${e.key}=${e.value}`;
    r.state = r.state.addEnv(e.key, e.value);
    r.image.config.Env = setEnvEntry(r.image.config.Env ?? [], e.key, e.value);
  }
  commit(ctx, d, msg);
}

export function dispatchLabel(ctx: ConvertContext, d: DispatchState, c: LabelCommand): void {
  const labels = (d.r.image.config.Labels ??= {});
  let msg = 'LABEL';
  for (const l of c.labels) {
    if (l.noDelim) ctx.lint.run('LegacyKeyValueFormat', legacyFormat(c.node.keywordAsWritten), c.range);
    labels[l.key] = l.value;
    msg += ` ${l.key}=${l.value}`;
  }
  commit(ctx, d, msg);
}

export function dispatchMaintainer(ctx: ConvertContext, d: DispatchState, c: MaintainerCommand): void {
  d.r.image.author = c.maintainer;
  commit(ctx, d, `MAINTAINER ${c.maintainer}`);
}

/** USER; `commit` is false when applying the base image's user. */
export function dispatchUser(ctx: ConvertContext, d: DispatchState, user: string, commitIt: boolean): void {
  d.r.state = d.r.state.user(user);
  d.r.image.config.User = user;
  if (commitIt) commit(ctx, d, `USER ${user}`);
}

export function dispatchVolume(ctx: ConvertContext, d: DispatchState, c: VolumeCommand): void {
  const vols = (d.r.image.config.Volumes ??= {});
  for (const v of c.volumes) {
    if (v === '') throw new Error('VOLUME specified can not be an empty string');
    vols[v] = {};
  }
  commit(ctx, d, `VOLUME ${goList(c.volumes)}`);
}

export function dispatchStopSignal(ctx: ConvertContext, d: DispatchState, c: StopSignalCommand): void {
  validateSignal(c.signal);
  d.r.image.config.StopSignal = c.signal;
  commit(ctx, d, `STOPSIGNAL ${c.signal}`);
}

export function dispatchShell(ctx: ConvertContext, d: DispatchState, c: ShellCommand): void {
  d.r.image.config.Shell = [...c.shell];
  commit(ctx, d, `SHELL ${goList(c.shell)}`);
}

export function dispatchExpose(ctx: ConvertContext, d: DispatchState, c: ExposeCommand): void {
  const env = stateEnv(d.r.state);
  const words = c.ports.flatMap((p) => ctx.shlex.processWords(p, env));
  const ports = parsePortSpecs(words, {
    protoCasing: (raw) => ctx.lint.run('ExposeProtoCasing', `Defined protocol '${raw}' in EXPOSE instruction should be lowercase`, c.range),
    invalidFormat: (raw) =>
      ctx.lint.run('ExposeInvalidFormat', `EXPOSE instruction should not define an IP address or host-port mapping, found '${raw}'`, c.range),
  });
  const exposed = (d.r.image.config.ExposedPorts ??= {});
  for (const p of ports) exposed[p] = {};
  commit(ctx, d, `EXPOSE ${goList(ports)}`);
}

export function dispatchHealthcheck(ctx: ConvertContext, d: DispatchState, c: HealthcheckCommand): void {
  validateUsedOnce(ctx, d, c);
  const h = c.health;
  // Zero durations/retries mean "inherit the default"; Go's omitempty leaves them out.
  const hc: HealthConfig = { Test: [...h.test] };
  if (h.interval) hc.Interval = h.interval;
  if (h.timeout) hc.Timeout = h.timeout;
  if (h.startPeriod) hc.StartPeriod = h.startPeriod;
  if (h.startInterval) hc.StartInterval = h.startInterval;
  if (h.retries) hc.Retries = h.retries;
  d.r.image.config.Healthcheck = hc;
  // Go's %+v of dockerspec.HealthcheckConfig.
  const text =
    `{Test:${goList(h.test)} Interval:${goDuration(h.interval)} Timeout:${goDuration(h.timeout)} ` +
    `StartPeriod:${goDuration(h.startPeriod)} StartInterval:${goDuration(h.startInterval)} Retries:${h.retries}}`;
  commit(ctx, d, `HEALTHCHECK ${text}`);
}

export function dispatchCmd(ctx: ConvertContext, d: DispatchState, c: CmdCommand): void {
  const r = d.r;
  validateUsedOnce(ctx, d, c);
  jsonArgsRecommended(ctx, d, c);
  const args = c.prependShell ? withShell(r.image, c.cmdLine) : [...c.cmdLine];
  r.image.config.Cmd = args;
  r.image.config.ArgsEscaped = true;
  r.cmdSet = true;
  commit(ctx, d, `CMD ${goQuoteList(args)}`);
}

export function dispatchEntrypoint(ctx: ConvertContext, d: DispatchState, c: EntrypointCommand): void {
  const r = d.r;
  validateUsedOnce(ctx, d, c);
  jsonArgsRecommended(ctx, d, c);
  const args = c.cmdLine === null ? [] : c.prependShell ? withShell(r.image, c.cmdLine) : [...c.cmdLine];
  if (c.cmdLine === null) delete r.image.config.Entrypoint;
  else r.image.config.Entrypoint = args;
  // An ENTRYPOINT resets a CMD inherited from the base, but not one set in this stage.
  if (!r.cmdSet) delete r.image.config.Cmd;
  commit(ctx, d, `ENTRYPOINT ${goQuoteList(args)}`);
}

/** Stored for images built FROM this one; BuildKit writes no history entry for it. */
export function dispatchOnbuild(d: DispatchState, c: OnbuildCommand): void {
  (d.r.image.config.OnBuild ??= []).push(c.expression);
}

function legacyFormat(name: string): string {
  return `"${name} key=value" should be used instead of legacy "${name} key value" format`;
}

/** Only the last CMD/ENTRYPOINT/HEALTHCHECK of a stage counts: the earlier one is flagged. */
function validateUsedOnce(ctx: ConvertContext, d: DispatchState, c: CmdCommand | EntrypointCommand | HealthcheckCommand): void {
  const prev = d.r.lastUse.get(c.kind);
  if (prev) {
    const name = c.node.keywordAsWritten;
    ctx.lint.run('MultipleInstructionsDisallowed', `Multiple ${name} instructions should not be used in the same stage because only the last one will be used`, prev);
  }
  d.r.lastUse.set(c.kind, c.range);
}

/** Shell-form CMD/ENTRYPOINT without a custom SHELL do not receive signals. */
function jsonArgsRecommended(ctx: ConvertContext, d: DispatchState, c: CmdCommand | EntrypointCommand): void {
  if (!c.prependShell || (d.r.image.config.Shell?.length ?? 0) > 0) return;
  const name = c.node.keywordAsWritten;
  ctx.lint.run('JSONArgsRecommended', `JSON arguments recommended for ${name} to prevent unintended behavior related to OS signals`, c.range);
}
