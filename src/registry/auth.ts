// Registry authentication: parses WWW-Authenticate challenges and answers them with Basic
// credentials or a Bearer token from the realm (anonymous or credentialed, OAuth refresh token
// when the credentials hold one). Tokens are cached per scope set until they expire.
import { httpRequest, readBody } from './http.js';
import type { Credentials } from './credentials.js';

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses `Bearer realm="…",service="…",scope="…"` (several challenges may be comma-joined). */
export function parseChallenges(header: string | string[] | undefined): Challenge[] {
  if (!header) return [];
  const text = Array.isArray(header) ? header.join(', ') : header;
  const out: Challenge[] = [];
  let current: Challenge | undefined;
  let i = 0;
  const skip = (chars: RegExp) => {
    while (i < text.length && chars.test(text[i]!)) i++;
  };
  while (i < text.length) {
    skip(/[\s,]/);
    const start = i;
    while (i < text.length && /[^\s,=]/.test(text[i]!)) i++;
    const token = text.slice(start, i);
    if (token === '') break;
    skip(/\s/);
    if (text[i] === '=' && current) {
      i++;
      skip(/\s/);
      let value = '';
      if (text[i] === '"') {
        i++;
        while (i < text.length && text[i] !== '"') {
          if (text[i] === '\\') i++;
          value += text[i] ?? '';
          i++;
        }
        i++;
      } else {
        const vs = i;
        while (i < text.length && /[^\s,]/.test(text[i]!)) i++;
        value = text.slice(vs, i);
      }
      current.params[token.toLowerCase()] = value;
    } else {
      current = { scheme: token.toLowerCase(), params: {} };
      out.push(current);
    }
  }
  return out;
}

interface CachedToken {
  header: string;
  expiresAt: number;
}

export class TokenFetchError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'TokenFetchError';
  }
}

/** Holds the authorization state for one registry host. */
export class Authorizer {
  private basic: string | undefined;
  private bearerChallenge: Challenge | undefined;
  private readonly tokens = new Map<string, CachedToken>();
  private credsLoaded: Promise<Credentials | undefined> | undefined;

  constructor(
    readonly host: string,
    private readonly loadCredentials: () => Promise<Credentials | undefined>,
    private readonly ca?: string[],
  ) {}

  credentials(): Promise<Credentials | undefined> {
    this.credsLoaded ??= this.loadCredentials();
    return this.credsLoaded;
  }

  /** The Authorization header to send for these scopes, if any is known already. */
  cached(scopes: readonly string[]): string | undefined {
    if (this.basic) return this.basic;
    const tok = this.tokens.get(scopeKey(scopes));
    if (tok && tok.expiresAt > Date.now()) return tok.header;
    return undefined;
  }

  /**
   * Answers a 401's challenge. Returns the header to retry with, or undefined when the
   * challenge cannot be answered (e.g. Basic without credentials).
   */
  async answer(wwwAuthenticate: string | string[] | undefined, scopes: readonly string[], signal?: AbortSignal): Promise<string | undefined> {
    const challenges = parseChallenges(wwwAuthenticate);
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    if (bearer) {
      this.bearerChallenge = bearer;
      return this.fetchToken(bearer, scopes, signal);
    }
    if (challenges.some((c) => c.scheme === 'basic')) {
      const creds = await this.credentials();
      if (!creds) return undefined;
      this.basic = basicHeader(creds);
      return this.basic;
    }
    return undefined;
  }

  /** For a known Bearer registry, fetches a token for new scopes without a 401 round trip. */
  async preauthorize(scopes: readonly string[], signal?: AbortSignal): Promise<string | undefined> {
    const cached = this.cached(scopes);
    if (cached) return cached;
    if (this.bearerChallenge) return this.fetchToken(this.bearerChallenge, scopes, signal);
    return undefined;
  }

  /** `signal`: the token request of an abandoned lookup is abandoned with it. */
  private async fetchToken(challenge: Challenge, scopes: readonly string[], signal?: AbortSignal): Promise<string> {
    const realm = challenge.params.realm;
    if (!realm) throw new TokenFetchError(`registry ${this.host} sent a Bearer challenge without a realm`, 0);
    const service = challenge.params.service;
    const allScopes = [...new Set([...(challenge.params.scope ? challenge.params.scope.split(' ') : []), ...scopes])].sort();
    const creds = await this.credentials();
    let res;
    if (creds?.identityToken) {
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: creds.identityToken, client_id: 'slipway' });
      if (service) form.set('service', service);
      if (allScopes.length > 0) form.set('scope', allScopes.join(' '));
      res = await httpRequest(realm, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
        ...(this.ca ? { ca: this.ca } : {}),
        ...(signal ? { signal } : {}),
      });
    } else {
      const url = new URL(realm);
      if (service) url.searchParams.set('service', service);
      for (const s of allScopes) url.searchParams.append('scope', s);
      const headers: Record<string, string> = {};
      if (creds) headers.authorization = basicHeader(creds);
      res = await httpRequest(url.toString(), { headers, ...(this.ca ? { ca: this.ca } : {}), ...(signal ? { signal } : {}) });
    }
    const body = await readBody(res, 1024 * 1024);
    if (res.status !== 200) {
      throw new TokenFetchError(`token request to ${realm} failed: ${res.status} ${res.statusText}`, res.status);
    }
    let json: { token?: string; access_token?: string; expires_in?: number };
    try {
      json = JSON.parse(body.toString('utf8')) as typeof json;
    } catch {
      throw new TokenFetchError(`token server ${realm} answered with invalid JSON`, res.status);
    }
    const token = json.token ?? json.access_token;
    if (!token) throw new TokenFetchError(`token server ${realm} answered without a token`, res.status);
    // Docker's minimum token lifetime is 60 s; keep a margin.
    const lifetime = Math.max(json.expires_in ?? 60, 60);
    const header = `Bearer ${token}`;
    this.tokens.set(scopeKey(scopes), { header, expiresAt: Date.now() + (lifetime - 10) * 1000 });
    return header;
  }
}

function scopeKey(scopes: readonly string[]): string {
  return [...scopes].sort().join(' ');
}

function basicHeader(creds: Credentials): string {
  return `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
}
