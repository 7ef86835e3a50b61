// A small HTTP(S) client over node:http/https: per-request CAs, streaming bodies, redirects
// (dropping credentials when the host changes, as blob storage redirects need), timeouts.
import * as http from 'node:http';
import type * as https from 'node:https';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { https as httpsModule, tls as tlsModule } from '../lazy-builtins.js';
import { extraCaCerts } from './extra-ca.js';
import { notifyRequestSent, requestSentWanted } from './request-sent.js';

// https and tls load on the first https:// request: a plain-http registry (a local one) or a
// build that needs none skips them (~2-3 ms of module loading in a fresh process).

export interface HttpRequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: Buffer | string | Readable;
  ca?: string[];
  signal?: AbortSignal;
  /** Socket inactivity timeout. */
  timeoutMs?: number;
  maxRedirects?: number;
  /** Told the socket of each request made (e.g. to unreference it). */
  onSocket?: (socket: Socket) => void;
}

export interface HttpResponse {
  status: number;
  statusText: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: http.IncomingMessage;
}

const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 16 });
const httpsAgents = new Map<string, https.Agent>();

/**
 * One keep-alive agent per CA set; a registry's CAs and NODE_EXTRA_CA_CERTS's are added to,
 * not instead of, the system roots.
 */
function httpsAgentFor(ca: string[] | undefined): https.Agent {
  const key = ca ? ca.join('\n') : '';
  let agent = httpsAgents.get(key);
  if (!agent) {
    const extra = [...extraCaCerts(), ...(ca ?? [])];
    agent = new (httpsModule().Agent)({ keepAlive: true, maxSockets: 16, ...(extra.length ? { ca: [...tlsModule().rootCertificates, ...extra] } : {}) });
    httpsAgents.set(key, agent);
  }
  return agent;
}

function once(url: URL, opts: HttpRequestOptions): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const isHttps = url.protocol === 'https:';
    const reqOpts: https.RequestOptions = {
      method: opts.method ?? 'GET',
      headers: { 'user-agent': 'slipway', ...opts.headers },
      agent: isHttps ? httpsAgentFor(opts.ca) : httpAgent,
      ...(opts.signal ? { signal: opts.signal } : {}),
    };
    let response: http.IncomingMessage | undefined;
    const req = (isHttps ? httpsModule() : http).request(url, reqOpts, (res) => {
      response = res;
      resolve(res);
    });
    req.setTimeout(opts.timeoutMs ?? 60_000, () => {
      const err = Object.assign(new Error(`timeout talking to ${url.host}`), { code: 'ETIMEDOUT' });
      // After the headers, the body's reader must see the timeout, not a bare "aborted".
      response?.destroy(err);
      req.destroy(err);
    });
    req.on('error', reject);
    if (opts.onSocket) req.on('socket', opts.onSocket);
    if (requestSentWanted()) req.once('finish', notifyRequestSent);
    const body = opts.body;
    if (body === undefined) req.end();
    else if (typeof body === 'string' || Buffer.isBuffer(body)) req.end(body);
    else {
      body.on('error', (err) => req.destroy(err));
      body.pipe(req);
    }
  });
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export async function httpRequest(urlStr: string, opts: HttpRequestOptions = {}): Promise<HttpResponse> {
  let url = new URL(urlStr);
  let headers = { ...opts.headers };
  let method = opts.method ?? 'GET';
  let body = opts.body;
  for (let hop = 0; ; hop++) {
    const res = await once(url, { ...opts, method, headers, ...(body !== undefined ? { body } : {}) });
    const status = res.statusCode ?? 0;
    const location = res.headers.location;
    if (REDIRECTS.has(status) && location && hop < (opts.maxRedirects ?? 5) && (method === 'GET' || method === 'HEAD')) {
      res.resume();
      const next = new URL(location, url);
      if (next.host !== url.host) {
        // Never send registry credentials to another host (e.g. a storage backend).
        headers = Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'authorization'));
      }
      if (status === 303) {
        method = 'GET';
        body = undefined;
      }
      url = next;
      continue;
    }
    return { status, statusText: res.statusMessage ?? '', url: url.toString(), headers: res.headers, body: res };
  }
}

/** Reads a response body into memory, refusing more than `limit` bytes. */
export async function readBody(res: HttpResponse, limit = 4 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      res.body.destroy();
      throw Object.assign(new Error(`response body larger than ${limit} bytes`), { code: 'ETOOBIG' });
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function discard(res: HttpResponse): void {
  res.body.resume();
}
