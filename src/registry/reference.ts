// Image references with Docker's normalization (distribution/reference's ParseNormalizedNamed
// followed by TagNameOnly): `busybox` → docker.io/library/busybox:latest.
import { parseDigest } from '../content/digest.js';

export const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const OFFICIAL_REPO_PREFIX = 'library/';
const NAME_TOTAL_LENGTH_MAX = 255;

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_RE = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`);
const PATH_COMPONENT_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG_RE = /^[\w][\w.-]{0,127}$/;
const ANCHORED_HEX64 = /^[a-f0-9]{64}$/;

/** A malformed reference; the message names the part that is wrong. */
export class InvalidReferenceError extends Error {
  constructor(
    readonly input: string,
    reason: string,
  ) {
    super(`invalid reference format "${input}": ${reason}`);
    this.name = 'InvalidReferenceError';
  }
}

export class Reference {
  constructor(
    readonly domain: string,
    readonly path: string,
    readonly tag?: string,
    readonly digest?: string,
  ) {}

  /** `docker.io/library/busybox` */
  fullName(): string {
    return `${this.domain}/${this.path}`;
  }

  /** The short form Docker prints: `busybox`, `user/app`, `127.0.0.1:5000/x`. */
  familiarName(): string {
    if (this.domain === DEFAULT_DOMAIN) {
      return this.path.startsWith(OFFICIAL_REPO_PREFIX) && this.path.split('/').length === 2
        ? this.path.slice(OFFICIAL_REPO_PREFIX.length)
        : this.path;
    }
    return this.fullName();
  }

  /** `busybox:latest`, `127.0.0.1:5000/x@sha256:…` */
  familiarString(): string {
    return this.familiarName() + this.suffix();
  }

  /** `docker.io/library/busybox:latest` (tag and/or digest as given). */
  toString(): string {
    return this.fullName() + this.suffix();
  }

  /** The tag or digest to ask the registry for (digest wins). */
  manifestRef(): string {
    return this.digest ?? this.tag ?? 'latest';
  }

  withTag(tag: string): Reference {
    if (!TAG_RE.test(tag)) throw new InvalidReferenceError(tag, `invalid tag "${tag}"`);
    return new Reference(this.domain, this.path, tag, undefined);
  }

  withDigest(digest: string): Reference {
    parseDigest(digest);
    return new Reference(this.domain, this.path, this.tag, digest);
  }

  private suffix(): string {
    return (this.tag !== undefined ? `:${this.tag}` : '') + (this.digest !== undefined ? `@${this.digest}` : '');
  }
}

/**
 * Parses `[domain/]path[:tag][@digest]` with Docker's defaults. A reference without tag and
 * digest gets tag `latest` (pass `{defaultTag: false}` to keep it tagless).
 */
export function parseReference(input: string, opts: { defaultTag?: boolean } = {}): Reference {
  if (input === '') throw new InvalidReferenceError(input, 'repository name must have at least one component');
  if (input.trim() !== input) throw new InvalidReferenceError(input, 'surrounding whitespace');

  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    try {
      parseDigest(digest);
    } catch (err) {
      throw new InvalidReferenceError(input, `invalid digest "${digest}": ${(err as Error).message.replace(/^invalid [^:]*: /, '')}`);
    }
  }

  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG_RE.test(tag)) throw new InvalidReferenceError(input, `invalid tag "${tag}"`);
  }

  if (ANCHORED_HEX64.test(rest)) {
    throw new InvalidReferenceError(input, 'cannot specify 64-byte hexadecimal strings as a repository name');
  }

  const [domain, path] = splitDomain(rest);
  if (!DOMAIN_RE.test(domain)) throw new InvalidReferenceError(input, `invalid registry host "${domain}"`);
  if (path === '') throw new InvalidReferenceError(input, 'repository name must have at least one component');
  if (path !== path.toLowerCase()) throw new InvalidReferenceError(input, `repository name (${path}) must be lowercase`);
  for (const component of path.split('/')) {
    if (!PATH_COMPONENT_RE.test(component)) {
      throw new InvalidReferenceError(input, `invalid repository name component "${component}"`);
    }
  }
  if (domain.length + 1 + path.length > NAME_TOTAL_LENGTH_MAX) {
    throw new InvalidReferenceError(input, `repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters`);
  }
  if (tag === undefined && digest === undefined && opts.defaultTag !== false) tag = 'latest';
  return new Reference(domain, path, tag, digest);
}

/** Docker's splitDockerDomain: the first component is a registry host only if it looks like one. */
function splitDomain(name: string): [string, string] {
  const i = name.indexOf('/');
  let domain: string;
  let remainder: string;
  if (i === -1) {
    domain = DEFAULT_DOMAIN;
    remainder = name;
  } else {
    const first = name.slice(0, i);
    if (!first.includes('.') && !first.includes(':') && first !== 'localhost' && first.toLowerCase() === first) {
      domain = DEFAULT_DOMAIN;
      remainder = name;
    } else {
      domain = first;
      remainder = name.slice(i + 1);
    }
  }
  if (domain === LEGACY_DEFAULT_DOMAIN) domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && remainder !== '' && !remainder.includes('/')) remainder = OFFICIAL_REPO_PREFIX + remainder;
  return [domain, remainder];
}

/** True for a string that parses as a reference (without throwing). */
export function isReference(s: string): boolean {
  try {
    parseReference(s);
    return true;
  } catch {
    return false;
  }
}
