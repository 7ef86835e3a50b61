// Git source (ADD git@…/https://….git, or a git context): `git clone` through the git CLI
// into a one-layer snapshot, checked out at the ref, .git removed unless git.keepgitdir.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { SourceAttr } from '../../llb/source-attrs.js';
import { shUnderStandardUmask } from '../sys/umask.js';
import type { SourceOp } from '../../llb/types.js';
import { resolveInRootSync } from '../layer/root-path.js';
import { runTool } from '../layer/run-tool.js';
import type { LayersRef } from '../result.js';
import { buildTempDir, type OpRun } from './context.js';
import { perSolveMemo } from './per-solve.js';

export function parseGitIdentifier(identifier: string, fullURL: string | undefined): { remote: string; ref: string; subdir: string } {
  const rest = identifier.replace(/^git:\/\//, '');
  const hash = rest.indexOf('#');
  const frag = hash >= 0 ? rest.slice(hash + 1) : '';
  const [ref = '', subdir = ''] = frag.split(':');
  const remote = fullURL || `https://${hash >= 0 ? rest.slice(0, hash) : rest}`;
  return { remote, ref, subdir };
}

/** Runs git under umask 022 whatever this process's (BuildKit's gitCLI: runWithStandardUmask),
 *  so a checkout is 0644/0755 even when Slipway runs under 077. */
async function gitRun(args: string[], cwd?: string): Promise<Buffer> {
  const r = await runTool('/bin/sh', shUnderStandardUmask('git', args), cwd ? { cwd } : undefined);
  if (r.code === 127 && /not found/.test(r.stderr)) throw new Error('`git` is not installed (needed for git sources)');
  if (r.code !== 0) throw new Error(`git ${args[0]} failed: ${r.stderr.toString().trim()}`);
  return r.stdout;
}

async function git(args: string[], cwd?: string): Promise<void> {
  await gitRun(args, cwd);
}

const isCommitSHA = (s: string): boolean => /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(s);

/** Go's %q of a string (close enough for the ASCII of git's output). */
const goQuote = (s: string): string => JSON.stringify(s);

type LsRemote = (args: string[]) => Promise<string>;
const gitLsRemote: LsRemote = async (args) => (await gitRun(args)).toString();

/** What a ref names on the remote (BuildKit's resolveMetadata): the commit of a branch, of an
 *  exact ref or of a lightweight tag, or an annotated tag's object and the commit it points to.
 *  A commit-SHA ref is taken as given, without asking the remote. */
export interface ResolvedGitRef {
  sha: string;
  annotatedTagSha: string;
}

export async function resolveGitRef(remote: string, ref: string, lsRemote: LsRemote = gitLsRemote): Promise<ResolvedGitRef> {
  if (isCommitSHA(ref)) return { sha: ref, annotatedTagSha: '' };
  let name = ref;
  if (name === '') {
    const out = await lsRemote(['ls-remote', '--symref', remote, 'HEAD']);
    const m = /^ref: refs\/heads\/(\S+)\s+HEAD$/m.exec(out);
    if (!m) throw new Error(`could not find default branch for repository: ${remote}`);
    name = m[1]!;
  }
  const out = await lsRemote(['ls-remote', remote, name, `${name}^{}`]);
  const trim = (p: string) => (name.startsWith(p) ? name.slice(p.length) : name);
  const partialRef = `refs/${trim('refs/')}`;
  const headRef = `refs/heads/${trim('refs/heads/')}`;
  const tagRef = `refs/tags/${trim('refs/tags/')}`;
  let sha = '';
  let headSha = '';
  let tagSha = '';
  let annotatedTagSha = '';
  for (const line of out.split('\n')) {
    const tab = line.indexOf('\t');
    const [lineSha, lineRef] = tab < 0 ? [line, ''] : [line.slice(0, tab), line.slice(tab + 1)];
    if (lineRef === headRef) headSha = lineSha;
    else if (lineRef === tagRef) tagSha = lineSha;
    else if (lineRef === `${tagRef}^{}`) annotatedTagSha = lineSha;
    else if (lineRef === partialRef) sha = lineSha;
  }
  if (sha === '') sha = headSha; // git checkout prefers a branch
  if (sha !== '') annotatedTagSha = '';
  if (sha === '') sha = tagSha;
  if (sha === '') throw new Error(`repository does not contain ref ${name}, output: ${goQuote(out)}`);
  if (!isCommitSHA(sha)) throw new Error(`invalid commit sha ${goQuote(sha)}`);
  return { sha, annotatedTagSha };
}

/**
 * ADD --checksum of a git source, checked as BuildKit's resolveMetadata does before anything
 * is fetched: the checksum is a hex prefix of what the ref names (a commit SHA ref is compared
 * as given), or of the commit an annotated tag points to.
 */
export async function checkGitChecksum(remote: string, ref: string, checksum: string, lsRemote: LsRemote = gitLsRemote,
  resolve: () => Promise<ResolvedGitRef> = () => resolveGitRef(remote, ref, lsRemote)): Promise<void> {
  if (!/^[a-fA-F0-9]+$/.test(checksum)) throw new Error(`invalid checksum ${checksum} for Git URL, expected hex commit hash`);
  if (isCommitSHA(ref)) {
    if (!ref.startsWith(checksum)) throw new Error(`expected checksum to match ${checksum}, got ${ref}`);
    return;
  }
  const { sha, annotatedTagSha } = await resolve();
  if (!sha.startsWith(checksum) && !(annotatedTagSha !== '' && annotatedTagSha.startsWith(checksum))) {
    // BuildKit's message, its quirk included: with an annotated tag, "got  or <commit>".
    const got = annotatedTagSha !== '' ? ` or ${annotatedTagSha}` : sha;
    throw new Error(`expected checksum to match ${checksum}, got ${got}`);
  }
}

// One ls-remote per remote and ref and solve: made while computing cache keys (the key is the
// commit), then reused by solveGit, which checks that commit out: a ref that moves meanwhile
// cannot put another commit's tree under the key.
const resolved = perSolveMemo<ResolvedGitRef>();

export function resolveGitSource(env: object, remote: string, ref: string): Promise<ResolvedGitRef> {
  return resolved(env, `${remote}#${ref}`, () => resolveGitRef(remote, ref));
}

export async function solveGit(run: OpRun, src: SourceOp): Promise<LayersRef[]> {
  const { remote, ref, subdir } = parseGitIdentifier(src.identifier, src.attrs[SourceAttr.GitFullURL]);
  const checksum = src.attrs[SourceAttr.GitChecksum];
  const resolve = (): Promise<ResolvedGitRef> => resolveGitSource(run.env, remote, ref);
  if (checksum) await checkGitChecksum(remote, ref, checksum, gitLsRemote, resolve);
  const { sha, annotatedTagSha } = await resolve();
  const commit = annotatedTagSha || sha;
  const tmp = buildTempDir(run.env.root, 'git');
  const active = await run.env.snapshotter.prepare([]);
  try {
    const clone = path.join(tmp, 'repo');
    // `--` before what the Dockerfile names: `git fetch origin --upload-pack=<cmd>` would run <cmd>.
    await git(['clone', '--quiet', '--no-checkout', '--', remote, clone]);
    if (ref) await git(['fetch', '--quiet', 'origin', '--', ref], clone).catch(() => undefined);
    await git(['checkout', '--quiet', ref || 'HEAD'], clone).catch(async () => git(['checkout', '--quiet', 'FETCH_HEAD'], clone));
    // The commit the cache key names, should the ref have moved since (detached then).
    if ((await gitRun(['rev-parse', 'HEAD'], clone)).toString().trim() !== commit) await git(['checkout', '--quiet', commit], clone);
    if (src.attrs[SourceAttr.GitSkipSubmodules] !== 'true') {
      await git(['submodule', 'update', '--init', '--recursive', '--quiet'], clone).catch(() => undefined);
    }
    if (src.attrs[SourceAttr.GitKeepDir] !== 'true') await rm(path.join(clone, '.git'), { recursive: true, force: true });
    // The subdirectory resolves inside the checkout (BuildKit's fs.RootPath): a symlink in the
    // repository must not lead to the host's files.
    const from = subdir ? resolveInRootSync(clone, path.posix.normalize(`/${subdir}`)) : clone;
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
