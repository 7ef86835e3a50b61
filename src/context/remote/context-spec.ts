// What `slipway build CONTEXT` names, by buildx's rules (build.LoadInputs): `-` is standard
// input; an existing local directory wins next; then a git reference (BuildKit's
// gitutil.ParseGitRef: git://, ssh://, git@host:path, github.com/…, or an http(s) URL whose
// path ends in .git, with an optional `#ref:subdir` fragment); then any other http(s) URL (a
// tarball or a lone Dockerfile); anything else is a path that does not exist.
import { statSync } from 'node:fs';
import * as path from 'node:path';

export interface GitContext {
  kind: 'git';
  /** What `git fetch` gets (no fragment). */
  remote: string;
  /** Branch, tag or commit; '' = the remote's HEAD. */
  ref: string;
  /** Directory inside the repository used as the context; '' = its root. */
  subdir: string;
  /** The URL as given (for messages). */
  url: string;
}

export type ContextSpec =
  | { kind: 'local'; dir: string }
  | { kind: 'stdin' }
  | GitContext
  | { kind: 'http'; url: string }
  | { kind: 'missing'; path: string };

/** Splits `#ref:subdir` off a git URL. */
function gitFragment(url: string): { base: string; ref: string; subdir: string } {
  const hash = url.indexOf('#');
  if (hash < 0) return { base: url, ref: '', subdir: '' };
  const frag = url.slice(hash + 1);
  const colon = frag.indexOf(':');
  return {
    base: url.slice(0, hash),
    ref: colon < 0 ? frag : frag.slice(0, colon),
    subdir: colon < 0 ? '' : frag.slice(colon + 1),
  };
}

/** A git reference as BuildKit's ParseGitRef accepts it, or undefined. */
export function parseGitContext(spec: string): GitContext | undefined {
  if (spec.startsWith('./') || spec.startsWith('../')) return undefined;
  const { base, ref, subdir } = gitFragment(spec);
  let remote: string | undefined;
  if (base.startsWith('github.com/')) remote = `https://${base}`;
  else if (/^(git|ssh):\/\/[^/]/.test(base)) remote = base;
  else if (/^https?:\/\/[^/]/.test(base)) {
    // An http(s) URL is a git repository only when its path ends in .git.
    let pathname: string;
    try {
      pathname = new URL(base).pathname;
    } catch {
      return undefined;
    }
    if (pathname.endsWith('.git')) remote = base;
  } else if (/^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^/]/.test(base) || /^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:\//.test(base)) {
    remote = base; // scp-like: git@host:owner/repo.git
  }
  return remote === undefined ? undefined : { kind: 'git', remote, ref, subdir, url: spec };
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

export function classifyContext(spec: string, cwd = process.cwd()): ContextSpec {
  if (spec === '-') return { kind: 'stdin' };
  const local = path.resolve(cwd, spec);
  if (isDir(local)) return { kind: 'local', dir: local };
  const git = parseGitContext(spec);
  if (git) return git;
  if (/^https?:\/\/[^/]/.test(spec)) return { kind: 'http', url: spec };
  return { kind: 'missing', path: spec };
}
