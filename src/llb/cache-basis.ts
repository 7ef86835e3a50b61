// What of an exec op goes into its cache key, as BuildKit's ExecOp.CacheMap decides: proxy
// variables never (changing HTTP_PROXY must not miss the cache), mount selectors not (they
// enter through the inputs' content checksums instead), the IP of host.docker.internal not,
// and a lone plain root mount not (BuildKit keeps old cache keys valid that way).

import type { ExecOp } from './types.js';

export function execOpForCacheKey(exec: ExecOp): ExecOp {
  const { proxyEnv: _dropped, ...meta } = exec.meta;
  let mounts = exec.mounts.map((m) => ({ ...m, selector: '' }));
  const only = mounts[0];
  if (mounts.length === 1 && only && only.dest === '/' && !only.readonly && only.mountType === 'bind') mounts = [];
  return {
    ...exec,
    meta: {
      ...meta,
      extraHosts: meta.extraHosts.map((h) => (h.host === 'host.docker.internal' ? { host: h.host, ip: '' } : { ...h })),
    },
    mounts,
  };
}
