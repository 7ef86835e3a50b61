// Bounded retries with exponential backoff for transient registry failures: 5xx, 429 and
// dropped connections. Everything else fails at once.

export interface RetryPolicy {
  /** Total attempts, including the first. */
  attempts: number;
  /** First backoff delay; doubles each time (with jitter), capped at maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export function defaultRetryPolicy(): RetryPolicy {
  const env = (name: string, dflt: number) => {
    const v = Number(process.env[name]);
    return Number.isFinite(v) && v >= 0 && process.env[name] !== '' && process.env[name] !== undefined ? v : dflt;
  };
  return {
    attempts: env('SLIPWAY_REGISTRY_ATTEMPTS', 5),
    baseDelayMs: env('SLIPWAY_REGISTRY_RETRY_DELAY_MS', 250),
    maxDelayMs: 5000,
  };
}

/** A failure worth trying again; `retryAfterMs` honours the server's Retry-After. */
export class TransientError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TransientError';
  }
}

const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'ERR_STREAM_PREMATURE_CLOSE']);

export function isConnectionDrop(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | undefined;
  if (!e) return false;
  if (e.code && RESET_CODES.has(e.code)) return true;
  return /socket hang up|aborted|premature close/i.test(e.message ?? '');
}

export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status !== 501 && status !== 505);
}

export function isTransient(err: unknown): boolean {
  return err instanceof TransientError || isConnectionDrop(err);
}

export async function withRetries<T>(
  policy: RetryPolicy,
  fn: (attempt: number) => Promise<T>,
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt >= policy.attempts || !isTransient(err)) throw unwrapTransient(err);
      const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      const jittered = backoff / 2 + Math.random() * (backoff / 2);
      const delay = Math.min(policy.maxDelayMs, Math.max(jittered, (err as TransientError).retryAfterMs ?? 0));
      onRetry?.(err, attempt, delay);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

/** After the last attempt, the caller sees the underlying error (a RegistryError if there is one). */
function unwrapTransient(err: unknown): unknown {
  if (err instanceof TransientError && err.cause instanceof Error) return err.cause;
  return err;
}

/** Retry-After in seconds or an HTTP date → milliseconds. */
export function parseRetryAfter(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const secs = Number(value);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const when = Date.parse(value);
  return Number.isFinite(when) ? Math.max(0, when - Date.now()) : undefined;
}
