// Errors from talking to a registry: they name the reference and the registry's answer
// (HTTP status and the error code from the distribution-spec JSON body).

export interface RegistryErrorDetail {
  code?: string;
  message?: string;
}

export class RegistryError extends Error {
  readonly exitCode = 1;
  readonly reference: string;
  readonly status: number | undefined;
  readonly code: string | undefined;

  constructor(
    message: string,
    opts: { reference: string; status?: number; code?: string; cause?: unknown },
  ) {
    super(message, opts.cause !== undefined ? { cause: opts.cause } : undefined);
    this.name = 'RegistryError';
    this.reference = opts.reference;
    this.status = opts.status;
    this.code = opts.code;
  }

  format(): string {
    return `ERROR: ${this.message}\n`;
  }
}

/** Pulls `{errors:[{code,message}]}` out of a registry error body (best effort). */
export function parseErrorBody(body: string): RegistryErrorDetail {
  try {
    const json = JSON.parse(body) as { errors?: Array<{ code?: unknown; message?: unknown }> };
    const first = json.errors?.[0];
    if (first) {
      return {
        ...(typeof first.code === 'string' ? { code: first.code } : {}),
        ...(typeof first.message === 'string' ? { message: first.message } : {}),
      };
    }
  } catch {
    // not JSON: fall through
  }
  return {};
}

/** "401 Unauthorized (UNAUTHORIZED: authentication required)" */
export function describeAnswer(status: number, statusText: string, detail: RegistryErrorDetail): string {
  const head = `${status} ${statusText}`.trim();
  if (!detail.code && !detail.message) return head;
  return `${head} (${[detail.code, detail.message].filter(Boolean).join(': ')})`;
}
