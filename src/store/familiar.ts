import { parseReference } from '../registry/reference.js';

/** `docker.io/library/busybox:latest` → `busybox:latest` (digest references keep their digest). */
export function familiar(fullName: string): string {
  return parseReference(fullName, { defaultTag: false }).familiarString();
}
