// Recognising git URLs among ADD sources (a subset of BuildKit's dfgitutil.ParseGitRef):
// `git://…`, `ssh://…`, `git@host:path`, `github.com/…`, and http(s) URLs whose path ends
// in `.git`; `#ref:subdir` selects a ref and a subdirectory.

export interface GitRef {
  /** The remote without the fragment. */
  remote: string;
  /** `ref[:subdir]` from the fragment ('' when absent). */
  fragment: string;
}

export function parseGitRef(src: string): GitRef | undefined {
  const hash = src.indexOf('#');
  const remote = hash < 0 ? src : src.slice(0, hash);
  const fragment = hash < 0 ? '' : src.slice(hash + 1);
  const isGit =
    remote.startsWith('git://') ||
    remote.startsWith('ssh://') ||
    remote.startsWith('github.com/') ||
    /^[A-Za-z0-9_.-]+@[^:/]+:/.test(remote) ||
    /^https?:\/\/[^?]*\.git(\?.*)?$/.test(remote);
  return isGit ? { remote, fragment } : undefined;
}

export function isHTTPSource(src: string): boolean {
  return (src.startsWith('http://') || src.startsWith('https://')) && !parseGitRef(src);
}
