// The variables a word is expanded against (BuildKit's shell.EnvGetter).

/**
 * Looks variables up by exact name (Linux semantics: names are case-sensitive).
 * A `Map<string, string>` already satisfies this interface.
 */
export interface EnvGetter {
  get(name: string): string | undefined;
  keys(): Iterable<string>;
}

/**
 * Builds an environment from `K=V` strings (the form image config `Env` uses). Like
 * BuildKit's EnvsFromSlice: a later entry replaces an earlier one with the same key, and
 * an entry without `=` defines the key with an empty value.
 */
export function envFromList(list: Iterable<string>): Map<string, string> {
  const env = new Map<string, string>();
  for (const entry of list) {
    const eq = entry.indexOf('=');
    if (eq < 0) env.set(entry, '');
    else env.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return env;
}

/** Builds an environment from a plain object's own string properties. */
export function envFromRecord(record: Readonly<Record<string, string>>): Map<string, string> {
  return new Map(Object.entries(record));
}

/** Accepts any of the supported shapes and returns an EnvGetter. */
export function toEnvGetter(
  source: EnvGetter | readonly string[] | Readonly<Record<string, string>>,
): EnvGetter {
  if (Array.isArray(source)) return envFromList(source as readonly string[]);
  if (isEnvGetter(source)) return source;
  return envFromRecord(source as Readonly<Record<string, string>>);
}

function isEnvGetter(x: unknown): x is EnvGetter {
  return typeof (x as EnvGetter).get === 'function' && typeof (x as EnvGetter).keys === 'function';
}
