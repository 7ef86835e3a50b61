// Git source (ADD git@…/https://….git, or a git context): `git clone` through the git CLI
// into a one-layer snapshot, checked out at the ref, .git removed unless git.keepgitdir.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { SourceAttr } from '../../llb/source-attrs.js';
import type { SourceOp } from '../../llb/types.js';
import { runTool } from '../layer/run-tool.js';
import type { LayersRef } from '../result.js';
import { buildTempDir, type OpRun } from './context.js';

export function parseGitIdentifier(identifier: string, fullURL: string | undefined): { remote: string; ref: string; subdir: string } {
  const rest = identifier.replace(/^git:\/\//, '');
  const hash = rest.indexOf('#');
  const frag = hash >= 0 ? rest.slice(hash + 1) : '';
  const [ref = '', subdir = ''] = frag.split(':');
  const remote = fullURL || `https://${hash >= 0 ? rest.slice(0, hash) : rest}`;
  return { remote, ref, subdir };
}

async function git(args: string[], cwd?: string): Promise<void> {
  const r = await runTool('git', args, cwd ? { cwd } : undefined);
  if (r.code !== 0) throw new Error(`git ${args[0]} failed: ${r.stderr.toString().trim()}`);
}

export async function solveGit(run: OpRun, src: SourceOp): Promise<LayersRef[]> {
  const { remote, ref, subdir } = parseGitIdentifier(src.identifier, src.attrs[SourceAttr.GitFullURL]);
  const tmp = buildTempDir(run.env.root, 'git');
  const active = await run.env.snapshotter.prepare([]);
  try {
    const clone = path.join(tmp, 'repo');
    await git(['clone', '--quiet', '--no-checkout', remote, clone]);
    if (ref) await git(['fetch', '--quiet', 'origin', ref], clone).catch(() => undefined);
    await git(['checkout', '--quiet', ref || 'HEAD'], clone).catch(async () => git(['checkout', '--quiet', 'FETCH_HEAD'], clone));
    if (src.attrs[SourceAttr.GitSkipSubmodules] !== 'true') {
      await git(['submodule', 'update', '--init', '--recursive', '--quiet'], clone).catch(() => undefined);
    }
    if (src.attrs[SourceAttr.GitKeepDir] !== 'true') await rm(path.join(clone, '.git'), { recursive: true, force: true });
    const from = subdir ? path.join(clone, path.posix.normalize(`/${subdir}`)) : clone;
    const r = await runTool('cp', ['-a', '--', `${from}/.`, active.mountpoint]);
    if (r.code !== 0) throw new Error(`copying the git checkout failed: ${r.stderr.toString().trim()}`);
    const id = run.snapshotId(0);
    await active.commit(id);
    return [{ kind: 'layers', layers: [{ snapshotId: id }] }];
  } finally {
    await active.cleanup().catch(() => undefined);
    await rm(tmp, { recursive: true, force: true });
  }
}
