// One answer per solve: a source's remote lookup (an HTTP download, a git ref's commit) made
// when its cache key is computed is the one the op then uses, not a second request.

/** A memo keyed by the solve's env object (dropped with it) and a string key. */
export function perSolveMemo<T>(): (env: object, key: string, make: () => Promise<T>) => Promise<T> {
  const bySolve = new WeakMap<object, Map<string, Promise<T>>>();
  return (env, key, make) => {
    let memo = bySolve.get(env);
    if (!memo) bySolve.set(env, (memo = new Map()));
    let p = memo.get(key);
    if (!p) memo.set(key, (p = make()));
    return p;
  };
}
