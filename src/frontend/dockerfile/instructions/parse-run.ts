// RUN: command line (shell/exec form, heredocs) and its flags --mount, --network, --security,
// after BuildKit's parseRun with the runmount/runnetwork/runsecurity hooks.

import { checkMountSpec, isStaticMountSpec, parseMount } from './mounts.js';
import type { ParseRequest } from './request.js';
import { shellDependantCmdLine } from './request.js';
import { InstructionSyntaxError, goQuote } from './syntax-error.js';
import type { Mount, NetworkMode, RunCommand, SecurityMode } from './types.js';

const NETWORK_MODES: readonly NetworkMode[] = ['default', 'none', 'host'];
const SECURITY_MODES: readonly SecurityMode[] = ['sandbox', 'insecure'];

/**
 * The typed mounts when expansion cannot change any value and all of them are valid.
 * BuildKit only interprets mounts at conversion time, so an invalid one (e.g. buildah's
 * `z` option) is not an error yet: `expandInstruction` reports it for reachable stages.
 */
function staticMounts(specs: readonly string[]): Mount[] | undefined {
  if (!specs.every(isStaticMountSpec)) return undefined;
  try {
    return specs.map((s) => parseMount(s));
  } catch (err) {
    if (err instanceof InstructionSyntaxError) return undefined;
    throw err;
  }
}

export function parseRun(req: ParseRequest): RunCommand {
  const flMount = req.flags.addStrings('mount');
  const flNetwork = req.flags.addString('network', 'default');
  const flSecurity = req.flags.addString('security', 'sandbox');
  req.flags.parse();

  const cmdLine = shellDependantCmdLine(req);

  const mountSpecs = [...flMount.values];
  const mountFroms = mountSpecs.map(checkMountSpec);
  const mounts = staticMounts(mountSpecs);

  const network = flNetwork.value as NetworkMode;
  if (!NETWORK_MODES.includes(network)) throw new InstructionSyntaxError(`invalid network mode ${goQuote(flNetwork.value)}`);
  const security = flSecurity.value as SecurityMode;
  if (!SECURITY_MODES.includes(security)) throw new InstructionSyntaxError(`security ${goQuote(flSecurity.value)} is not valid`);

  return {
    ...req.base,
    kind: 'run',
    ...cmdLine,
    mountSpecs,
    mountFroms,
    mounts,
    network,
    security,
    flagsUsed: req.flags.used(),
  };
}
