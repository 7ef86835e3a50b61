// An ordered, immutable environment as BuildKit's EnvList: replacing a key moves it to the end.

export type EnvList = readonly (readonly [string, string])[];

export function envAddOrReplace(env: EnvList, key: string, value: string): EnvList {
  return [...envDelete(env, key), [key, value]];
}

export function envSetDefault(env: EnvList, key: string, value: string): EnvList {
  return envGet(env, key) === undefined ? [...env, [key, value]] : env;
}

export function envDelete(env: EnvList, key: string): EnvList {
  return env.filter(([k]) => k !== key);
}

export function envGet(env: EnvList, key: string): string | undefined {
  return env.find(([k]) => k === key)?.[1];
}

export function envToArray(env: EnvList): string[] {
  return env.map(([k, v]) => `${k}=${v}`);
}
