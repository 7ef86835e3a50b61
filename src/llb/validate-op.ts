// Structural checks of a single decoded op: every index it holds points somewhere valid.

import { LLBError } from './errors.js';
import { EMPTY_INPUT, type Op, SKIP_OUTPUT } from './types.js';

/** How many outputs an op has (exec: one per mount with an output). */
export function outputCount(op: Op): number {
  if (op.kind === 'exec') return op.exec.mounts.filter((m) => m.output !== SKIP_OUTPUT).length;
  return 1;
}

export function validateOp(op: Op, label: string): void {
  const fail = (msg: string): never => {
    throw new LLBError(`${label}: ${msg}`);
  };
  const n = op.inputs.length;
  switch (op.kind) {
    case 'source':
      if (n !== 0) fail('a source op has no inputs');
      return;
    case 'merge':
      if (op.merge.inputs.length < 2) fail('merge must have at least 2 inputs');
      for (const i of op.merge.inputs) if (i >= n) fail(`merge input ${i} out of range`);
      return;
    case 'exec': {
      const outputs: number[] = [];
      for (const m of op.exec.mounts) {
        if (m.input < EMPTY_INPUT || m.input >= n) fail(`mount ${m.dest}: input ${m.input} out of range`);
        if (m.output !== SKIP_OUTPUT) outputs.push(m.output);
        const opt = { bind: undefined, cache: m.cacheOpt, tmpfs: m.tmpfsOpt, secret: m.secretOpt, ssh: m.sshOpt }[m.mountType];
        if (m.mountType !== 'bind' && !opt) fail(`mount ${m.dest}: ${m.mountType} mount without its options`);
        if ((m.mountType === 'secret' || m.mountType === 'ssh' || m.mountType === 'tmpfs') && m.input !== EMPTY_INPUT) {
          fail(`mount ${m.dest}: ${m.mountType} mounts take no input`);
        }
      }
      if (!op.exec.mounts.some((m) => m.dest === '/')) fail('exec has no root mount');
      outputs.sort((a, b) => a - b);
      outputs.forEach((o, i) => o !== i && fail('exec mount outputs must be numbered 0..n-1'));
      return;
    }
    case 'file': {
      const actions = op.file.actions;
      actions.forEach((a, i) => {
        // An index ≥ n refers to the result of an earlier action of this op.
        for (const [what, idx] of [['input', a.input], ['secondaryInput', a.secondaryInput]] as const) {
          if (idx < EMPTY_INPUT || idx >= n + i) fail(`action ${i}: ${what} ${idx} out of range`);
        }
        const wantOutput = i + 1 === actions.length ? 0 : SKIP_OUTPUT;
        if (a.output !== wantOutput) fail(`action ${i}: output must be ${wantOutput}`);
        if (a.action.type === 'copy' && a.action.mode !== undefined && a.action.modeStr !== undefined) {
          fail(`action ${i}: copy has both mode and modeStr`);
        }
      });
      return;
    }
  }
}
