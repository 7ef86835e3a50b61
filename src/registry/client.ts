// OCI distribution-spec client for one registry host: authentication, retries and the
// manifest/blob/upload endpoints. Streams bodies; never buffers a blob in memory.
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { digestOf } from '../content/digest.js';
import { MANIFEST_ACCEPT } from '../content/media-types.js';
import { Authorizer, TokenFetchError } from './auth.js';
import { getCredentials, type Credentials } from './credentials.js';
import { recallManifest, rememberManifest } from './fetch-memo.js';
import { describeAnswer, parseErrorBody, RegistryError } from './errors.js';
import { hostSettings, type HostSettings } from './hosts.js';
import { discard, httpRequest, readBody, type HttpResponse } from './http.js';
import { defaultRetryPolicy, isConnectionDrop, parseRetryAfter, TransientError, withRetries, type RetryPolicy } from './retry.js';

export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export interface ClientOptions {
  credentials?: () => Promise<Credentials | undefined>;
  retry?: RetryPolicy;
  /** Told about each retry (for progress output). */
  onRetry?: (message: string) => void;
}

interface SendOptions {
  method: string;
  /** `/v2/...` path or an absolute URL (upload locations). */
  path: string;
  scopes: string[];
  /** The reference or object named in errors. */
  what: string;
  headers?: Record<string, string>;
  /** A factory so a retried request can send its body again. */
  body?: () => Buffer | string | Readable;
  /** Statuses handed back to the caller; anything else becomes a RegistryError. */
  ok: number[];
  /** Whether 5xx/429/drops are retried (false for non-idempotent steps such as PATCH). */
  retry?: boolean;
  onSocket?: (socket: Socket) => void;
  /** Abandons the request (see `retrying`). */
  signal?: AbortSignal;
}

export interface FetchedManifest {
  bytes: Buffer;
  mediaType: string;
  digest: string;
}

export function pullScope(repo: string): string {
  return `repository:${repo}:pull`;
}
export function pushScope(repo: string): string {
  return `repository:${repo}:pull,push`;
}

export class RegistryClient {
  readonly settings: HostSettings;
  readonly auth: Authorizer;
  private readonly policy: RetryPolicy;

  constructor(
    readonly host: string,
    private readonly opts: ClientOptions = {},
  ) {
    this.settings = hostSettings(host);
    this.auth = new Authorizer(host, opts.credentials ?? (() => getCredentials(host)), this.settings.ca);
    this.policy = opts.retry ?? defaultRetryPolicy();
  }

  get retryPolicy(): RetryPolicy {
    return this.policy;
  }

  private url(p: string): string {
    return /^https?:\/\//.test(p) ? p : new URL(p, this.settings.baseUrl).toString();
  }

  /** One request with auth; 5xx/429 answers become TransientErrors, other unexpected ones RegistryErrors. */
  private async sendOnce(o: SendOptions): Promise<HttpResponse> {
    const res = await this.authed(o);
    if (o.ok.includes(res.status)) return res;
    const err = await this.errorFrom(res, o.what);
    if (res.status === 429 || (res.status >= 500 && res.status !== 501 && res.status !== 505)) {
      throw new TransientError(err.message, parseRetryAfter(headerOne(res.headers['retry-after'])), { cause: err });
    }
    throw err;
  }

  /** Runs `fn` with this client's retry policy, turning whatever it ends with into a RegistryError. */
  async retrying<T>(what: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    // An abandoned request ends the loop: its AbortError reads as a dropped connection.
    const attempt = signal ? async () => {
      if (signal.aborted) throw abandoned(what);
      try {
        return await fn();
      } catch (err) {
        throw signal.aborted ? abandoned(what) : err;
      }
    } : fn;
    try {
      return await withRetries(this.policy, attempt, (err, n, delay) =>
        this.opts.onRetry?.(`${what}: ${(err as Error).message}; retrying in ${Math.round(delay)} ms (attempt ${n + 1} of ${this.policy.attempts})`),
      );
    } catch (err) {
      throw this.wrap(err, what);
    }
  }

  /**
   * Sends one request with auth and retries; returns responses whose status is in `ok`. With
   * `retry: false` the caller runs its own retry loop (see `retrying`), so transient errors
   * come out raw.
   */
  async send(o: SendOptions): Promise<HttpResponse> {
    if (o.retry === false) return this.sendOnce(o);
    return this.retrying(o.what, () => this.sendOnce(o), o.signal);
  }

  private wrap(err: unknown, what: string): unknown {
    if (err instanceof RegistryError) return err;
    if (err instanceof TokenFetchError) {
      return new RegistryError(`${what}: authorization failed: ${err.message}${loginHint(err.status, this.host)}`, {
        reference: what,
        status: err.status,
        cause: err,
      });
    }
    const e = err as NodeJS.ErrnoException;
    const why = isConnectionDrop(err) ? `connection failed (${e.code ?? e.message})` : e.message;
    return new RegistryError(`${what}: cannot talk to registry ${this.host} (${this.settings.baseUrl}): ${why}`, {
      reference: what,
      cause: err,
      ...(e.code ? { code: e.code } : {}),
    });
  }

  private async authed(o: SendOptions): Promise<HttpResponse> {
    const go = (authorization: string | undefined) =>
      httpRequest(this.url(o.path), {
        method: o.method,
        headers: { ...o.headers, ...(authorization ? { authorization } : {}) },
        ...(o.body ? { body: o.body() } : {}),
        ...(this.settings.ca ? { ca: this.settings.ca } : {}),
        ...(o.onSocket ? { onSocket: o.onSocket } : {}),
        ...(o.signal ? { signal: o.signal } : {}),
      });
    const first = await go(await this.auth.preauthorize(o.scopes, o.signal));
    if (first.status !== 401) return first;
    const challenge = first.headers['www-authenticate'];
    const header = await this.auth.answer(challenge, o.scopes, o.signal);
    if (!header) return first; // cannot answer (no credentials): the 401 becomes the error
    discard(first);
    return go(header);
  }

  /** Builds the error for an unexpected answer, reading the distribution-spec error body. */
  async errorFrom(res: HttpResponse, what: string): Promise<RegistryError> {
    let text = '';
    try {
      text = (await readBody(res, 64 * 1024)).toString('utf8');
    } catch {
      // body unreadable: the status alone will do
    }
    const detail = parseErrorBody(text);
    const answer = describeAnswer(res.status, res.statusText, detail);
    let message: string;
    if (res.status === 404) message = `${what}: not found: ${answer}`;
    else if (res.status === 401 || res.status === 403) message = `${what}: ${res.status === 401 ? 'unauthorized' : 'access denied'}: ${answer}${loginHint(res.status, this.host)}`;
    else message = `${what}: registry ${this.host} answered ${answer}`;
    return new RegistryError(message, { reference: what, status: res.status, ...(detail.code ? { code: detail.code } : {}) });
  }

  /** GET /v2/: checks the registry answers and that the credentials (if any) are accepted. */
  async ping(): Promise<void> {
    const res = await this.send({ method: 'GET', path: '/v2/', scopes: [], what: this.host, ok: [200] });
    discard(res);
  }

  /** Fetches a manifest or index by tag or digest, refusing bodies over 4 MiB and verifying digests. */
  async getManifest(repo: string, reference: string, what: string, signal?: AbortSignal): Promise<FetchedManifest> {
    const known = reference.startsWith('sha256:') ? recallManifest(this.host, repo, reference) : undefined;
    if (known) return known;
    const fetched = await this.retrying(what, async () => {
      const res = await this.sendOnce({
        method: 'GET',
        path: `/v2/${repo}/manifests/${reference}`,
        scopes: [pullScope(repo)],
        what,
        headers: { accept: MANIFEST_ACCEPT },
        ok: [200],
        ...(signal ? { signal } : {}),
      });
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > MAX_MANIFEST_BYTES) {
        discard(res);
        throw new RegistryError(`${what}: manifest too large (${declared} bytes; the limit is ${MAX_MANIFEST_BYTES})`, { reference: what, status: res.status });
      }
      let bytes: Buffer;
      try {
        bytes = await readBody(res, MAX_MANIFEST_BYTES);
      } catch (err) {
        if ((err as { code?: string }).code === 'ETOOBIG') {
          throw new RegistryError(`${what}: manifest too large (more than ${MAX_MANIFEST_BYTES} bytes)`, { reference: what, status: res.status });
        }
        throw err;
      }
      const digest = digestOf(bytes);
      if (reference.startsWith('sha256:') && digest !== reference) {
        throw new RegistryError(`${what}: manifest digest mismatch: asked for ${reference}, got content with digest ${digest}`, { reference: what, status: res.status, code: 'DIGEST_INVALID' });
      }
      const header = headerOne(res.headers['docker-content-digest']);
      if (header && header.startsWith('sha256:') && header !== digest) {
        throw new RegistryError(`${what}: manifest digest mismatch: registry says ${header}, content has ${digest}`, { reference: what, status: res.status, code: 'DIGEST_INVALID' });
      }
      const mediaType = (headerOne(res.headers['content-type']) ?? '').split(';')[0]!.trim();
      return { bytes, mediaType, digest };
    }, signal);
    rememberManifest(this.host, repo, fetched);
    return fetched;
  }

  /** Starts a blob download; the caller streams `body` (and retries the whole fetch on a drop). */
  async getBlob(repo: string, digest: string, what: string,
    opts: { retry?: boolean; onSocket?: (socket: Socket) => void; signal?: AbortSignal } = {}): Promise<HttpResponse> {
    const o: SendOptions = {
      method: 'GET', path: `/v2/${repo}/blobs/${digest}`, scopes: [pullScope(repo)], what, ok: [200],
      ...(opts.onSocket ? { onSocket: opts.onSocket } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    };
    // Inside a caller's own retry loop (which also covers the body), raise transient errors as is.
    return this.send({ ...o, ...(opts.retry === false ? { retry: false } : {}) });
  }

  /** The blob's size if the repository has it. */
  async headBlob(repo: string, digest: string, what: string, scopes = [pullScope(repo)]): Promise<number | undefined> {
    const res = await this.send({ method: 'HEAD', path: `/v2/${repo}/blobs/${digest}`, scopes, what, ok: [200, 404] });
    discard(res);
    if (res.status === 404) return undefined;
    const len = Number(res.headers['content-length']);
    return Number.isFinite(len) ? len : 0;
  }

  /**
   * Asks the registry to mount a blob from another repository. Returns true when mounted; when
   * the registry declines it starts an upload instead, whose location is returned.
   */
  async mountBlob(repo: string, digest: string, fromRepo: string, what: string): Promise<{ mounted: true } | { mounted: false; location: string }> {
    const res = await this.send({
      method: 'POST',
      path: `/v2/${repo}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(fromRepo)}`,
      scopes: [pushScope(repo), pullScope(fromRepo)],
      what,
      headers: { 'content-length': '0' },
      ok: [201, 202],
    });
    discard(res);
    if (res.status === 201) return { mounted: true };
    return { mounted: false, location: this.locationOf(res, what) };
  }

  async startUpload(repo: string, what: string): Promise<string> {
    const res = await this.send({
      method: 'POST',
      path: `/v2/${repo}/blobs/uploads/`,
      scopes: [pushScope(repo)],
      what,
      headers: { 'content-length': '0' },
      ok: [202],
    });
    discard(res);
    return this.locationOf(res, what);
  }

  /** Monolithic upload: one PUT with the whole blob. Not retried here: run it inside `retrying`. */
  async putBlob(repo: string, location: string, digest: string, size: number, body: () => Buffer | Readable, what: string): Promise<void> {
    const res = await this.send({
      method: 'PUT',
      path: withDigest(location, digest),
      scopes: [pushScope(repo)],
      what,
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
      body,
      ok: [201],
      retry: false,
    });
    discard(res);
  }

  /** Chunked upload: PATCH `chunk` bytes at a time, then PUT ?digest= to close it. Not retried here: run it inside `retrying`. */
  async putBlobChunked(
    repo: string,
    startLocation: string,
    digest: string,
    size: number,
    readRange: (start: number, end: number) => Readable,
    chunkSize: number,
    what: string,
    onChunk?: (sent: number) => void,
  ): Promise<void> {
    let location = startLocation;
    for (let offset = 0; offset < size; offset += chunkSize) {
      const end = Math.min(size, offset + chunkSize);
      const res = await this.send({
        method: 'PATCH',
        path: location,
        scopes: [pushScope(repo)],
        what,
        headers: {
          'content-type': 'application/octet-stream',
          'content-length': String(end - offset),
          'content-range': `${offset}-${end - 1}`,
        },
        body: () => readRange(offset, end),
        ok: [202],
        retry: false,
      });
      discard(res);
      location = this.locationOf(res, what);
      onChunk?.(end);
    }
    const res = await this.send({
      method: 'PUT',
      path: withDigest(location, digest),
      scopes: [pushScope(repo)],
      what,
      headers: { 'content-length': '0' },
      ok: [201],
      retry: false,
    });
    discard(res);
  }

  async putManifest(repo: string, reference: string, bytes: Buffer, mediaType: string, what: string): Promise<string> {
    const res = await this.send({
      method: 'PUT',
      path: `/v2/${repo}/manifests/${reference}`,
      scopes: [pushScope(repo)],
      what,
      headers: { 'content-type': mediaType, 'content-length': String(bytes.length) },
      body: () => bytes,
      ok: [201],
    });
    discard(res);
    return headerOne(res.headers['docker-content-digest']) ?? digestOf(bytes);
  }

  private locationOf(res: HttpResponse, what: string): string {
    const loc = headerOne(res.headers.location);
    if (!loc) throw new RegistryError(`${what}: registry ${this.host} gave no upload location`, { reference: what, status: res.status });
    return new URL(loc, res.url).toString();
  }
}

function withDigest(location: string, digest: string): string {
  const u = new URL(location);
  u.searchParams.set('digest', digest);
  return u.toString();
}

function headerOne(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** Not a dropped connection (an AbortError's message reads as one): never retried. */
function abandoned(what: string): RegistryError {
  return new RegistryError(`${what}: request abandoned (no longer needed)`, { reference: what, code: 'ABANDONED' });
}

function loginHint(status: number, host: string): string {
  return status === 401 || status === 403 ? `; run "slipway login ${host}" if the registry needs credentials` : '';
}

const clients = new Map<string, RegistryClient>();

/** One client (and so one token cache) per host for the life of the process. */
export function clientFor(host: string, opts?: ClientOptions): RegistryClient {
  if (opts) return new RegistryClient(host, opts);
  let c = clients.get(host);
  if (!c) {
    c = new RegistryClient(host);
    clients.set(host, c);
  }
  return c;
}
