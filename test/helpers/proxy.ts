// A tiny HTTP proxy on loopback in front of a real registry, for tests: it records every
// request, can inject faults (error statuses, connection resets mid-body, corrupted bodies,
// replaced bodies) and can act as a Bearer-token gate with its own token endpoint.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  status: number;
  authorization?: string;
}

export interface Fault {
  method?: string;
  /** Matched against the request path (with query). */
  path: RegExp;
  /** How many times it fires (default: always). */
  times?: number;
  kind: 'status' | 'reset' | 'corrupt' | 'body';
  status?: number;
  headers?: Record<string, string>;
  /** For 'reset': bytes of the upstream body sent before the connection is destroyed. */
  afterBytes?: number;
  /** For 'body': the response body sent instead of the registry's. */
  body?: Buffer | string;
}

export interface BearerGate {
  /** When set, the token endpoint requires these Basic credentials. */
  username?: string;
  password?: string;
}

export class RegistryProxy {
  readonly requests: RecordedRequest[] = [];
  readonly tokenRequests: Array<{ scope: string[]; service: string | null; authorized: boolean }> = [];
  private faults: Array<Fault & { fired: number }> = [];
  host = '';

  private constructor(
    private readonly upstream: string,
    private readonly server: http.Server,
    private readonly bearer?: BearerGate,
  ) {}

  static async start(upstream: string, opts: { bearer?: BearerGate } = {}): Promise<RegistryProxy> {
    let proxy!: RegistryProxy;
    const server = http.createServer((req, res) => proxy.handle(req, res));
    proxy = new RegistryProxy(upstream, server, opts.bearer);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy.host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    return proxy;
  }

  addFault(f: Fault): void {
    this.faults.push({ ...f, fired: 0 });
  }

  clear(): void {
    this.requests.length = 0;
    this.tokenRequests.length = 0;
    this.faults = [];
  }

  count(method: string, path: RegExp): number {
    return this.requests.filter((r) => r.method === method && path.test(r.path)).length;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private record(req: http.IncomingMessage, status: number): void {
    this.requests.push({
      method: req.method ?? '',
      path: req.url ?? '',
      status,
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
    });
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = req.url ?? '/';
    if (this.bearer && url.startsWith('/token')) return this.token(req, res);
    if (this.bearer && !/^Bearer tok-/.test(req.headers.authorization ?? '')) {
      req.resume();
      const repo = /^\/v2\/(.+?)\/(?:manifests|blobs|tags)\//.exec(url)?.[1];
      const scope = repo ? `,scope="repository:${repo}:pull"` : '';
      res.writeHead(401, {
        'content-type': 'application/json',
        'www-authenticate': `Bearer realm="http://${this.host}/token",service="slipway-test"${scope}`,
      });
      res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
      this.record(req, 401);
      return;
    }
    const fault = this.faults.find(
      (f) => (f.method === undefined || f.method === req.method) && f.path.test(url) && (f.times === undefined || f.fired < f.times),
    );
    if (fault) fault.fired++;
    if (fault?.kind === 'status') {
      req.resume();
      const status = fault.status ?? 500;
      res.writeHead(status, { 'content-type': 'application/json', ...fault.headers });
      res.end(JSON.stringify({ errors: [{ code: 'UNKNOWN', message: `injected ${status}` }] }));
      this.record(req, status);
      return;
    }
    this.forward(req, res, fault);
  }

  private token(req: http.IncomingMessage, res: http.ServerResponse): void {
    req.resume();
    const u = new URL(req.url ?? '/', `http://${this.host}`);
    const auth = req.headers.authorization;
    const want = this.bearer?.username !== undefined ? `Basic ${Buffer.from(`${this.bearer.username}:${this.bearer.password ?? ''}`).toString('base64')}` : undefined;
    const authorized = want === undefined || auth === want;
    this.tokenRequests.push({ scope: u.searchParams.getAll('scope'), service: u.searchParams.get('service'), authorized });
    if (!authorized) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'bad credentials' }] }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ token: `tok-${this.tokenRequests.length}`, expires_in: 300 }));
  }

  private forward(req: http.IncomingMessage, res: http.ServerResponse, fault: Fault | undefined): void {
    const [hostname, port] = this.upstream.split(':');
    const headers = { ...req.headers };
    delete headers.authorization; // the upstream registry here has no auth of its own
    const up = http.request(
      { hostname, port: Number(port), method: req.method, path: req.url, headers },
      (upRes) => {
        const status = upRes.statusCode ?? 502;
        this.record(req, status);
        const outHeaders = { ...upRes.headers };
        if (fault?.kind === 'body') {
          const body = Buffer.from(fault.body ?? '');
          outHeaders['content-length'] = String(body.length);
          delete outHeaders['docker-content-digest'];
          res.writeHead(fault.status ?? status, { ...outHeaders, ...fault.headers });
          upRes.resume();
          res.end(body);
          return;
        }
        res.writeHead(status, outHeaders);
        if (fault?.kind === 'reset') {
          let sent = 0;
          const limit = fault.afterBytes ?? 100;
          upRes.on('data', (chunk: Buffer) => {
            if (sent >= limit) return;
            const part = chunk.subarray(0, limit - sent);
            sent += part.length;
            res.write(part);
            if (sent >= limit) {
              upRes.destroy();
              // Let the bytes go out, then drop the connection.
              setTimeout(() => res.socket?.destroy(), 20);
            }
          });
          upRes.on('end', () => {
            if (sent < limit) res.end(); // shorter than the cut-off: nothing to reset
          });
          return;
        }
        if (fault?.kind === 'corrupt') {
          let first = true;
          upRes.on('data', (chunk: Buffer) => {
            if (first && chunk.length > 0) {
              const copy = Buffer.from(chunk);
              copy[copy.length - 1] = copy[copy.length - 1]! ^ 0xff;
              res.write(copy);
              first = false;
            } else res.write(chunk);
          });
          upRes.on('end', () => res.end());
          return;
        }
        upRes.pipe(res);
      },
    );
    up.on('error', () => {
      this.record(req, 502);
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(up);
  }
}
