// A RUN's process environment as BuildKit's exec op makes it: the op's env, then the proxy
// build args (HTTP_PROXY and http_proxy, …: non-empty ones), a default PATH at the end when
// there is none, then the secret env vars; a key given again takes the earlier one's place
// (containerd's replaceOrAppendEnvValues), so e.g. a declared ARG https_proxy is there once.
// The order is the op's (checked against BuildKit: case cfg-raw-environ copies /proc/self/environ).
import type { ProxyEnv } from '../../llb/types.js';
import { DEFAULT_PATH } from '../executor/run-container.js';

const PROXIES: ReadonlyArray<readonly [keyof ProxyEnv, string]> = [
  ['httpProxy', 'HTTP_PROXY'], ['httpsProxy', 'HTTPS_PROXY'], ['ftpProxy', 'FTP_PROXY'], ['noProxy', 'NO_PROXY'], ['allProxy', 'ALL_PROXY'],
];

function proxyEnvList(p: ProxyEnv | undefined): string[] {
  const out: string[] = [];
  for (const [field, name] of PROXIES) {
    const v = p?.[field];
    if (v) out.push(`${name}=${v}`, `${name.toLowerCase()}=${v}`);
  }
  return out;
}

/** containerd's replaceOrAppendEnvValues: a key set again replaces in place; `K` alone unsets K. */
function replaceOrAppend(defaults: readonly string[], overrides: readonly string[]): string[] {
  const results: Array<string | undefined> = [...defaults];
  const index = new Map<string, number>(defaults.map((e, i) => [e.split('=', 1)[0]!, i]));
  for (const v of overrides) {
    const eq = v.indexOf('=');
    const key = eq < 0 ? v : v.slice(0, eq);
    const at = index.get(key);
    if (eq < 0) {
      if (at !== undefined) results[at] = undefined;
      continue;
    }
    if (at !== undefined) {
      results[at] = v;
    } else {
      index.set(key, results.length);
      results.push(v);
    }
  }
  return results.filter((e): e is string => e !== undefined);
}

export function runEnv(env: readonly string[], proxy: ProxyEnv | undefined, secretEnv: readonly string[]): string[] {
  const meta = [...env, ...proxyEnvList(proxy)];
  if (!meta.some((e) => e.startsWith('PATH='))) meta.push(DEFAULT_PATH);
  return replaceOrAppend([], [...meta, ...secretEnv]);
}
