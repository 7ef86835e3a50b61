import { parseReference } from '../registry/reference.js';

/** `docker.io/library/busybox:latest` → `busybox:latest` (digest references keep their digest). */
export function familiar(fullName: string): string {
  return parseReference(fullName, { defaultTag: false }).familiarString();
}

/** How Docker names an image it did not find: `nope` → `nope:latest`; IDs stay as given. */
export function displayName(arg: string): string {
  if (/^(sha256:)?[a-f0-9]{6,64}$/.test(arg)) return arg;
  try {
    return parseReference(arg).familiarString();
  } catch {
    return arg;
  }
}
