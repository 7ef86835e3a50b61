// RUN --mount lowering (BuildKit's dispatchRunMounts, dispatchSecret, dispatchSSH):
// bind/cache from the context, a stage or an image; tmpfs; secrets as files or env vars;
// ssh agent sockets.
import type { MountSpec } from '../../../llb/exec.js';
import { mkdir } from '../../../llb/fileop.js';
import { goClean, goJoin } from '../../../llb/go-path.js';
import type { State } from '../../../llb/state.js';
import type { Mount } from '../instructions/types.js';
import type { ConvertContext } from './context.js';
import type { DispatchState } from './dispatch-state.js';

export interface LoweredMounts {
  mounts: MountSpec[];
  secretEnv: { id: string; name: string; optional: boolean }[];
}

export function lowerRunMounts(
  ctx: ConvertContext,
  d: DispatchState,
  mounts: readonly Mount[],
  sources: readonly (DispatchState | undefined)[],
): LoweredMounts {
  const out: LoweredMounts = { mounts: [], secretEnv: [] };
  mounts.forEach((m, i) => {
    if (m.type === 'secret') return lowerSecret(m, out);
    if (m.type === 'ssh') {
      out.mounts.push({
        type: 'ssh',
        id: m.id,
        ...(m.target ? { target: m.target } : {}),
        optional: !m.required,
        ...fileOwnership(m, 0o600),
      });
      return;
    }
    let src: State = ctx.buildContext;
    const from = m.from !== '' ? m.from : m.type === 'cache' ? 'scratch' : '';
    if (from !== '') {
      const ds = sources[i];
      if (!ds?.run?.dispatched) {
        throw new Error(`cannot mount from stage ${JSON.stringify(m.from)} to ${JSON.stringify(m.target)}, stage needs to be defined before current command`);
      }
      src = ds.r.state;
    }
    let target = m.target;
    if (!target.startsWith('/')) target = goJoin('/', d.r.state.getDir(), target);
    if (target === '/') throw new Error(`invalid mount target ${JSON.stringify(target)}`);

    let selector = goJoin('/', m.source);
    if (selector === '/' && (m.uid !== undefined || m.gid !== undefined || m.mode !== undefined) && m.type !== 'tmpfs') {
      // BuildKit prepares an owned directory and mounts it instead of the source root.
      src = src.file(
        mkdir('/cache', m.mode ?? 0o755, { owner: { user: { id: m.uid ?? 0 }, group: { id: m.gid ?? 0 } } }),
        { customName: '[internal] setting cache mount permissions' },
      );
      selector = '/cache';
    }
    const sel = selector !== '/' ? { selector } : {};

    if (m.type === 'tmpfs') {
      out.mounts.push({ type: 'tmpfs', target, ...(m.sizeLimit ? { size: m.sizeLimit } : {}), ...(m.readOnly ? { readonly: true } : {}) });
    } else if (m.type === 'cache') {
      const id = m.id === m.target ? goClean(m.id) : m.id;
      out.mounts.push({
        type: 'cache', target, id: `${ctx.cacheIDNamespace}/${id}`, sharing: m.sharing ?? 'shared', source: src, ...sel,
        ...(m.readOnly ? { readonly: true } : {}),
      });
    } else {
      out.mounts.push({
        type: 'bind', target, source: src, ...sel,
        ...(m.readOnly ? { readonly: true } : { noOutput: true }),
      });
    }
    if (from === '') d.ctxPaths.add(goJoin('/', m.source));
  });
  return out;
}

function fileOwnership(m: Mount, defaultMode: number): { uid?: number; gid?: number; mode?: number } {
  if (m.uid === undefined && m.gid === undefined && m.mode === undefined) return {};
  return { uid: m.uid ?? 0, gid: m.gid ?? 0, mode: m.mode ?? defaultMode };
}

function lowerSecret(m: Mount, out: LoweredMounts): void {
  if (m.env !== undefined) out.secretEnv.push({ id: m.id, name: m.env || m.id, optional: !m.required });
  const target = m.target !== '' ? m.target : m.env === undefined ? `/run/secrets/${m.id.split('/').pop()}` : '';
  if (target === '') return;
  out.mounts.push({ type: 'secret', target, id: m.id, optional: !m.required, ...fileOwnership(m, 0o400) });
}
