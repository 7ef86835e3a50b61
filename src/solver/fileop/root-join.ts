// fsutil's rootPath: a path inside a root with every symlink resolved inside it; with
// followLinks false the last component itself is kept as is (lstat semantics).
import { resolveInRootSync, resolveParentInRootSync } from '../layer/root-path.js';

export function rootPath(root: string, p: string, followLinks: boolean): string {
  return followLinks ? resolveInRootSync(root, p) : resolveParentInRootSync(root, p);
}
