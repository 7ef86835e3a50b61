// BuildKit's entitlement check (llbsolver ValidateEntitlements): RUN --network=host needs
// `--allow network.host` and RUN --security=insecure needs `--allow security.insecure`.
// `--network=host` on the command line grants network.host itself, as buildx does. RUN steps
// on the default network (sandbox) need nothing, although that network is the host's here.
import { decodeOp } from '../../llb/decode-op.js';
import type { Definition } from '../../llb/types.js';
import type { Entitlement } from './build-exec-options.js';

export class EntitlementError extends Error {
  readonly exitCode = 1;
  constructor(readonly entitlement: Entitlement) {
    super(`${entitlement} is not allowed`);
  }
  format(): string {
    return `ERROR: failed to solve: ${this.message}\n`;
  }
}

export function checkEntitlements(def: Definition, allowed: ReadonlySet<Entitlement>, network: 'host' | 'none' | undefined): void {
  const granted = new Set(allowed);
  if (network === 'host') granted.add('network.host');
  if (granted.size === 2) return;
  for (const entry of def.ops) {
    // Only exec ops can ask; skip the decode for the rest.
    if (!entry.data.includes('"exec"')) continue;
    const op = decodeOp(entry.data);
    if (op.kind !== 'exec') continue;
    if (op.exec.network === 'host' && !granted.has('network.host')) throw new EntitlementError('network.host');
    if (op.exec.security === 'insecure' && !granted.has('security.insecure')) throw new EntitlementError('security.insecure');
  }
}
