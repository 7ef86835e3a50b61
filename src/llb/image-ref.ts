// Normalizing image references the way llb.Image does (distribution/reference's
// ParseNormalizedNamed + TagNameOnly): `alpine` → `docker.io/library/alpine:latest`.
// One parser for the whole project: the registry client's.
import { parseReference } from '../registry/reference.js';
import { LLBError } from './errors.js';

export function normalizeImageRef(ref: string): string {
  try {
    return parseReference(ref).toString();
  } catch (err) {
    throw new LLBError((err as Error).message);
  }
}
