import { describe, expect, it } from 'vitest';
import { isRetryableStatus, parseRetryAfter, TransientError, withRetries } from '../../src/registry/retry.js';

const policy = { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 };

describe('withRetries', () => {
  it('retries transient failures up to the bound, then gives the underlying error', async () => {
    let calls = 0;
    const cause = new Error('registry said 503');
    await expect(
      withRetries(policy, async () => {
        calls++;
        throw new TransientError('503', undefined, { cause });
      }),
    ).rejects.toBe(cause);
    expect(calls).toBe(3);
  });

  it('retries connection resets and succeeds', async () => {
    let calls = 0;
    const v = await withRetries(policy, async () => {
      if (++calls < 3) throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      return 'ok';
    });
    expect(v).toBe('ok');
    expect(calls).toBe(3);
  });

  it('does not retry other errors', async () => {
    let calls = 0;
    await expect(
      withRetries(policy, async () => {
        calls++;
        throw new Error('404');
      }),
    ).rejects.toThrow('404');
    expect(calls).toBe(1);
  });

  it('statuses and Retry-After', () => {
    expect([429, 500, 502, 503, 504].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 404, 501].some(isRetryableStatus)).toBe(false);
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter(new Date(Date.now() - 1000).toUTCString())).toBe(0);
  });
});
