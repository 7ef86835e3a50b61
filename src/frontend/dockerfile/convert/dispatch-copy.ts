// COPY and ADD → file-op copies (BuildKit's dispatchCopy): context/stage/image sources with
// BuildKit's copy options, heredoc files, ADD URLs and git repositories, --chown/--chmod,
// --parents, --exclude, and --link as a merge of an independent layer.
import { createHash } from 'node:crypto';
import { type CopyOptions, copy, type FileActionChain, mkfile } from '../../../llb/fileop.js';
import { goClean, goJoin } from '../../../llb/go-path.js';
import { merge } from '../../../llb/merge.js';
import { git, http } from '../../../llb/sources.js';
import { type State, scratch } from '../../../llb/state.js';
import type { AddCommand, CopyCommand } from '../instructions/types.js';
import { parseChmod } from './chmod.js';
import type { ConvertContext } from './context.js';
import type { DispatchState } from './dispatch-state.js';
import { isHTTPSource, parseGitRef } from './git-source.js';
import { commitToHistory } from './history.js';
import { pathRelativeToWorkingDir } from './paths.js';
import { displayLine, prefixCommand } from './progress-name.js';
import { locationOf } from './source-location.js';
import { stateEnv } from './state-env.js';
import { recordStep } from './steps.js';

/** COPY or ADD with the state it reads from (the context, or a `--from` stage/image). */
export function dispatchCopy(ctx: ConvertContext, d: DispatchState, c: CopyCommand | AddCommand, source: State): void {
  const r = d.r;
  const isAdd = c.kind === 'add';
  const dest = pathRelativeToWorkingDir(r.state.getDir(), c.destPath);
  const chmod = parseChmod(c.chmod);
  const checksum = isAdd ? c.checksum : '';
  if (checksum !== '') {
    if (c.sourcePaths.length !== 1) throw new Error("checksum can't be specified for multiple sources");
    const s = c.sourcePaths[0]!;
    if (!isHTTPSource(s) && !parseGitRef(s)) throw new Error('checksum requires HTTP(S) or Git sources');
  }

  const common: CopyOptions = {};
  if (c.chown !== '') common.owner = c.chown;
  if (c.excludePatterns.length > 0) common.excludePatterns = [...c.excludePatterns];
  if (ctx.epoch) common.timestamp = new Date(ctx.epoch);
  if (chmod) Object.assign(common, chmod);

  let msg = isAdd ? 'ADD' : 'COPY';
  if (c.kind === 'copy' && c.parents) msg += ' --parents';
  if (c.chown !== '') msg += ` --chown=${c.chown}`;
  if (c.chmod !== '') msg += ` --chmod=${c.chmod}`;

  const env = stateEnv(r.state);
  const name = displayLine(ctx.escapeToken, c.original, env);
  const stepName = prefixCommand(d, name);

  let chain: FileActionChain | undefined;
  const add = (src: State, from: string, opts: CopyOptions) => {
    chain = chain ? chain.copy(src, from, dest, opts) : copy(src, from, dest, opts);
  };

  for (const src of c.sourcePaths) {
    msg += ` ${src}`;
    const gitRef = parseGitRef(src);
    if (gitRef) {
      if (!isAdd) throw new Error("source can't be a git ref for COPY");
      const st = git(gitRef.remote, gitRef.fragment, {
        customName: stepName,
        ...(c.keepGitDir ? { keepGitDir: true } : {}),
        ...(checksum ? { checksum } : {}),
      });
      add(st, '/', { ...common, createDestPath: true });
    } else if (isHTTPSource(src)) {
      if (!isAdd) throw new Error("source can't be a URL for COPY");
      const base = urlBaseName(src);
      const st = http(src, {
        filename: base,
        customName: stepName,
        // BuildKit passes the sources-and-dest struct here, which prints as nothing.
        description: { 'com.docker.dockerfile.v1.command': '' },
        ...(checksum ? { checksum } : {}),
      });
      add(st, base, { ...common, createDestPath: true, ...(c.unpack ? { attemptUnpack: true } : {}) });
    } else {
      add(source, ...localCopy(c, src, isAdd, common));
    }
  }

  for (const content of c.sourceContents) {
    msg += ` <<${content.path}`;
    const st = scratch()
      .platform(r.state.getPlatform())
      .file(mkfile(content.path, 0o644, content.data), { customName: '[internal] preparing inline document' });
    add(st, content.path, { ...common, createDestPath: true });
  }
  msg += ` ${c.destPath}`;
  if (!chain) throw new Error(`${isAdd ? 'ADD' : 'COPY'} has no sources`);

  const fileOpts = {
    location: locationOf(ctx, c.range),
    ...(d.ignoreCache ? { ignoreCache: true } : {}),
  };
  if (c.link && c.chmod === '') {
    // The copy runs on an empty filesystem and is merged on top: its layer does not depend
    // on what is below it, so it survives base changes (BuildKit's --link).
    r.cmdIndex--;
    const groupName = prefixCommand(d, name);
    const groupID = createHash('sha256').update(`${d.stageName}\0${groupName}`).digest('hex').slice(0, 25);
    const layer = scratch()
      .platform(r.state.getPlatform())
      .file(chain, { ...fileOpts, customName: groupName, progressGroup: { id: groupID, name: groupName, weak: true } });
    r.cmdIndex--;
    const merged = merge([r.state, layer], {
      ...fileOpts,
      customName: prefixCommand(d, `LINK ${name}`),
      progressGroup: { id: groupID, name: groupName, weak: false },
    });
    r.state = r.state.withOutput(merged.output());
  } else {
    r.state = r.state.file(chain, { ...fileOpts, customName: stepName });
  }
  recordStep(ctx, d, c);
  commitToHistory(r.image, msg, { withLayer: true, fromOp: true, created: ctx.epoch });
}

/** Source path and options for a copy from the context or a stage (BuildKit's CopyInfo). */
function localCopy(c: CopyCommand | AddCommand, rawSrc: string, isAdd: boolean, common: CopyOptions): [string, CopyOptions] {
  let src = rawSrc;
  const opts: CopyOptions = {
    ...common,
    followSymlinks: true,
    copyDirContentsOnly: true,
    attemptUnpack: c.kind === 'add' && c.unpack !== undefined ? c.unpack : isAdd,
    createDestPath: true,
    allowWildcard: true,
    allowEmptyWildcard: true,
  };
  if (c.kind === 'copy' && c.parents) {
    // `a/./b/c` copies b/c keeping its path below the pivot `a`.
    const pivot = src.indexOf('/./');
    let pattern: string;
    if (pivot < 0) {
      pattern = src;
      src = '/';
    } else {
      pattern = src.slice(pivot + 3);
      src = src.slice(0, pivot);
    }
    pattern = goJoin('/', pattern).replace(/^\//, '');
    opts.includePatterns = [pattern];
    if (!hasWildcards(src) && !hasWildcards(pattern)) opts.requiredPaths = [goJoin('/', src, pattern)];
  }
  return [goClean(goJoin('/', src)), opts];
}

function hasWildcards(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const ch = name[i];
    if (ch === '*' || ch === '?' || ch === '[') return true;
    if (ch === '\\') i++;
  }
  return false;
}

/** The file name an ADD URL is saved as: path.Base of the URL's decoded path (Go's url.Parse
 *  decodes it, so `%2F` splits), else `__unnamed__`. */
export function urlBaseName(src: string): string {
  try {
    const base = goBase(decodeURIComponent(new URL(src).pathname));
    return base !== '.' && base !== '/' ? base : '__unnamed__';
  } catch {
    return '__unnamed__';
  }
}

/** Go's path.Base. */
function goBase(p: string): string {
  if (p === '') return '.';
  const trimmed = p.replace(/\/+$/, '');
  if (trimmed === '') return '/';
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}
