// Layer chain IDs (image-spec): the ID of a layer together with everything below it. Docker
// prints these as the `Deleted:` lines for layers.
import { createHash } from 'node:crypto';

export function chainIds(diffIds: readonly string[]): string[] {
  const out: string[] = [];
  for (const d of diffIds) {
    const prev = out[out.length - 1];
    out.push(prev === undefined ? d : `sha256:${createHash('sha256').update(`${prev} ${d}`).digest('hex')}`);
  }
  return out;
}
