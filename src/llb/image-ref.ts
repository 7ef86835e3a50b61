// Normalizing image references the way llb.Image does (distribution/reference's
// ParseNormalizedNamed + TagNameOnly): `alpine` → `docker.io/library/alpine:latest`.
// Only what the identifier needs; the registry client has its own full parser.

import { LLBError } from './errors.js';

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;

export function normalizeImageRef(ref: string): string {
  const fail = (why: string): never => {
    throw new LLBError(`invalid reference "${ref}": ${why}`);
  };
  if (/^[a-f0-9]{64}$/.test(ref)) fail('cannot specify 64-byte hexadecimal strings');
  let rest = ref;
  let digest = '';
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) fail('invalid digest');
  }
  let tag = '';
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) fail('invalid tag');
  }
  let domain = 'docker.io';
  let path = rest;
  const slash = rest.indexOf('/');
  const first = slash < 0 ? '' : rest.slice(0, slash);
  if (slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase())) {
    domain = first;
    path = rest.slice(slash + 1);
    if (!DOMAIN.test(domain)) fail('invalid domain');
  }
  if (domain === 'index.docker.io') domain = 'docker.io';
  if (path !== path.toLowerCase()) fail('repository name must be lowercase');
  if (domain === 'docker.io' && !path.includes('/')) path = `library/${path}`;
  if (path === '' || !path.split('/').every((c) => COMPONENT.test(c))) fail('invalid reference format');
  if (!tag && !digest) tag = 'latest';
  return `${domain}/${path}${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`;
}
