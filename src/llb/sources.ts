// Source states: image, local, http, git, oci-layout (and scratch, in state.ts). Identifiers
// and attrs are built as BuildKit's client/llb/source.go builds them.

import { LLBError } from './errors.js';
import { goJoin } from './go-path.js';
import { normalizeImageRef } from './image-ref.js';
import { DEFAULT_PLATFORM } from './platform.js';
import { type ResolveMode, SourceAttr, SourceScheme } from './source-attrs.js';
import { State } from './state.js';
import type { Platform, SourceOp } from './types.js';
import { type ConstraintOpts, makeVertex } from './vertex.js';

function sourceState(source: SourceOp, opts: ConstraintOpts & { platform?: Platform }, caps: string[]): State {
  if (!source.identifier) throw new LLBError("source identifier can't be empty");
  const platform = opts.platform ?? DEFAULT_PLATFORM;
  // Only image-like sources are platform specific (BuildKit's platformSpecificSource).
  const specific = source.identifier.startsWith(SourceScheme.Image) || source.identifier.startsWith(SourceScheme.OCILayout);
  const vertex = makeVertex(
    specific ? { kind: 'source', inputs: [], platform: { ...platform }, source } : { kind: 'source', inputs: [], source },
    [],
    opts,
    caps,
  );
  return State.of({ vertex, index: 0 }, platform);
}

export interface ImageOptions extends ConstraintOpts {
  platform?: Platform;
  /** Omitted from attrs when 'default', as BuildKit. */
  resolveMode?: ResolveMode;
  recordType?: string;
  layerLimit?: number;
  checksum?: string;
}

/** `docker-image://` + the normalized reference (`alpine` → `docker.io/library/alpine:latest`). */
export function image(ref: string, opts: ImageOptions = {}): State {
  const attrs: Record<string, string> = {};
  const caps = ['source.image'];
  if (opts.resolveMode && opts.resolveMode !== 'default') {
    attrs[SourceAttr.ImageResolveMode] = opts.resolveMode;
    if (opts.resolveMode === 'pull') caps.push('source.image.resolvemode');
  }
  if (opts.recordType) attrs[SourceAttr.ImageRecordType] = opts.recordType;
  if (opts.layerLimit !== undefined) {
    attrs[SourceAttr.ImageLayerLimit] = String(opts.layerLimit);
    caps.push('source.image.layerlimit');
  }
  if (opts.checksum) attrs[SourceAttr.ImageChecksum] = opts.checksum;
  return sourceState({ identifier: SourceScheme.Image + normalizeImageRef(ref), attrs }, opts, caps);
}

export interface LocalOptions extends ConstraintOpts {
  sessionID?: string;
  /** Identifies the client directory when there is no session (BuildKit's local.unique). */
  uniqueID?: string;
  includePatterns?: string[];
  excludePatterns?: string[];
  /** The paths the build actually reads; lets the solver transfer/checksum only those. */
  followPaths?: string[];
  sharedKeyHint?: string;
  differ?: 'none' | 'metadata';
}

/** `local://name`; pattern lists are JSON-encoded as BuildKit does. */
export function local(name: string, opts: LocalOptions = {}): State {
  const attrs: Record<string, string> = {};
  const caps = ['source.local'];
  const list = (key: string, cap: string, v: string[] | undefined) => {
    if (v && v.length > 0) {
      attrs[key] = JSON.stringify(v);
      caps.push(cap);
    }
  };
  if (opts.sessionID) {
    attrs[SourceAttr.LocalSessionID] = opts.sessionID;
    caps.push('source.local.sessionid');
  } else if (opts.uniqueID) {
    attrs[SourceAttr.LocalUniqueID] = opts.uniqueID;
    caps.push('source.local.unique');
  }
  list(SourceAttr.LocalIncludePatterns, 'source.local.includepatterns', opts.includePatterns);
  list(SourceAttr.LocalFollowPaths, 'source.local.followpaths', opts.followPaths);
  list(SourceAttr.LocalExcludePatterns, 'source.local.excludepatterns', opts.excludePatterns);
  if (opts.sharedKeyHint) {
    attrs[SourceAttr.LocalSharedKeyHint] = opts.sharedKeyHint;
    caps.push('source.local.sharedkeyhint');
  }
  if (opts.differ) attrs[SourceAttr.LocalDiffer] = opts.differ;
  return sourceState({ identifier: SourceScheme.Local + name, attrs }, opts, caps);
}

export interface HTTPOptions extends ConstraintOpts {
  /** `sha256:…` the download must match. */
  checksum?: string;
  filename?: string;
  /** Permission bits; written as "0" + octal, omitted when 0 (BuildKit). */
  perm?: number;
  uid?: number;
  gid?: number;
  authHeaderSecret?: string;
  headers?: { accept?: string; userAgent?: string };
}

/** The URL itself is the identifier. */
export function http(url: string, opts: HTTPOptions = {}): State {
  if (!url.startsWith(SourceScheme.HTTP) && !url.startsWith(SourceScheme.HTTPS)) {
    throw new LLBError(`http source must be an http(s) URL: ${url}`);
  }
  const attrs: Record<string, string> = {};
  const caps = ['source.http'];
  if (opts.checksum) {
    attrs[SourceAttr.HTTPChecksum] = opts.checksum;
    caps.push('source.http.checksum');
  }
  if (opts.filename) attrs[SourceAttr.HTTPFilename] = opts.filename;
  if (opts.perm) {
    attrs[SourceAttr.HTTPPerm] = '0' + (opts.perm & 0o777).toString(8);
    caps.push('source.http.perm');
  }
  if (opts.uid) attrs[SourceAttr.HTTPUID] = String(opts.uid);
  if (opts.gid) attrs[SourceAttr.HTTPGID] = String(opts.gid);
  if (opts.uid || opts.gid) caps.push('source.http.uidgid');
  if (opts.authHeaderSecret) {
    attrs[SourceAttr.HTTPAuthHeaderSecret] = opts.authHeaderSecret;
    caps.push('source.http.auth');
  }
  if (opts.headers?.accept) attrs[SourceAttr.HTTPHeaderPrefix + 'accept'] = opts.headers.accept;
  if (opts.headers?.userAgent) attrs[SourceAttr.HTTPHeaderPrefix + 'user-agent'] = opts.headers.userAgent;
  return sourceState({ identifier: url, attrs }, opts, caps);
}

export interface GitOptions extends ConstraintOpts {
  /** Overrides the ref from the fragment. */
  ref?: string;
  subdir?: string;
  keepGitDir?: boolean;
  checksum?: string;
  skipSubmodules?: boolean;
  /** Secret names; default GIT_AUTH_TOKEN / GIT_AUTH_HEADER as BuildKit. */
  authTokenSecret?: string;
  authHeaderSecret?: string;
  knownSSHHosts?: string;
  mountSSHSock?: string;
}

interface GitRemote {
  remote: string;
  host: string;
  path: string;
  ssh: boolean;
}

const SCP_LIKE = /^([A-Za-z0-9_.-]+)@([^:/]+):(.*)$/;
const GIT_SCHEMES = ['http:', 'https:', 'git:', 'ssh:'];

/** A simplified gitutil.ParseURL: URL schemes and `user@host:path`; unknown → https. */
function parseGitURL(url: string): GitRemote {
  const noFragment = url.split('#')[0]!;
  const scp = SCP_LIKE.exec(noFragment);
  if (scp && !noFragment.includes('://')) {
    return { remote: noFragment, host: scp[2]!, path: scp[3]!, ssh: true };
  }
  let u: URL;
  try {
    u = new URL(noFragment);
  } catch {
    u = new URL('https://' + noFragment);
  }
  if (!GIT_SCHEMES.includes(u.protocol)) u = new URL('https://' + noFragment);
  return { remote: u.toString(), host: u.host, path: decodeURIComponent(u.pathname), ssh: u.protocol === 'ssh:' };
}

/**
 * `git://host/path#ref:subdir`. `fragment` is the old-style `ref:subdir` after `#`, as the
 * second argument of BuildKit's llb.Git.
 */
export function git(url: string, fragment = '', opts: GitOptions = {}): State {
  const remote = parseGitURL(url);
  const colon = fragment.indexOf(':');
  let ref = colon < 0 ? fragment : fragment.slice(0, colon);
  let subdir = colon < 0 ? '' : goJoin('/', fragment.slice(colon + 1)).replace(/^\//, '');
  if (opts.ref !== undefined) ref = opts.ref;
  if (opts.subdir !== undefined) subdir = goJoin('/', opts.subdir).replace(/^\//, '');
  let id = remote.host + goJoin('/', remote.path);
  if (ref || subdir) id += '#' + ref + (subdir ? ':' + subdir : '');

  const attrs: Record<string, string> = {};
  const caps = ['source.git'];
  if (opts.keepGitDir) {
    attrs[SourceAttr.GitKeepDir] = 'true';
    caps.push('source.git.keepgitdir');
  }
  attrs[SourceAttr.GitFullURL] = remote.remote;
  caps.push('source.git.fullurl');
  attrs[SourceAttr.GitAuthTokenSecret] = opts.authTokenSecret ?? 'GIT_AUTH_TOKEN';
  attrs[SourceAttr.GitAuthHeaderSecret] = opts.authHeaderSecret ?? 'GIT_AUTH_HEADER';
  if (remote.ssh) {
    if (opts.knownSSHHosts) attrs[SourceAttr.GitKnownSSHHosts] = opts.knownSSHHosts.replace(/\n$/, '') + '\n';
    attrs[SourceAttr.GitMountSSHSock] = opts.mountSSHSock || 'default';
    caps.push('source.git.knownsshhosts', 'source.git.mountsshsock');
  }
  if (opts.checksum) {
    attrs[SourceAttr.GitChecksum] = opts.checksum;
    caps.push('source.git.checksum');
  }
  if (opts.skipSubmodules) {
    attrs[SourceAttr.GitSkipSubmodules] = 'true';
    caps.push('source.git.skipsubmodules');
  }
  return sourceState({ identifier: SourceScheme.Git + id, attrs }, opts, caps);
}

export interface OCILayoutOptions extends ConstraintOpts {
  platform?: Platform;
  sessionID?: string;
  storeID?: string;
  layerLimit?: number;
}

/** `oci-layout://` + ref (e.g. `store@sha256:…`). */
export function ociLayout(ref: string, opts: OCILayoutOptions = {}): State {
  const attrs: Record<string, string> = {};
  if (opts.sessionID) attrs[SourceAttr.OCILayoutSessionID] = opts.sessionID;
  if (opts.storeID) attrs[SourceAttr.OCILayoutStoreID] = opts.storeID;
  if (opts.layerLimit !== undefined) attrs[SourceAttr.OCILayoutLayerLimit] = String(opts.layerLimit);
  return sourceState({ identifier: SourceScheme.OCILayout + ref, attrs }, opts, ['source.ocilayout']);
}
