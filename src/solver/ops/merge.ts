// Merge op (COPY --link): the inputs' layer chains stacked, lowest first. No files move.
import type { MergeOp } from '../../llb/types.js';
import type { LayersRef } from '../result.js';
import { requireLayers, type OpRun } from './context.js';

export function solveMerge(run: OpRun, op: MergeOp): LayersRef[] {
  const layers = op.inputs.flatMap((i) => requireLayers(run.inputs[i], 'merge input').layers);
  return [{ kind: 'layers', layers }];
}
