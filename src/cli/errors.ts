/** An error caused by how the command was called (bad flag, missing argument): exit code 2. */
export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Prints an error the way every command does and returns the exit code to use. */
export function reportError(err: unknown): number {
  if (err instanceof UsageError) {
    process.stderr.write(`slipway: ${err.message}\n`);
    return 2;
  }
  const e = err as { exitCode?: unknown; format?: () => string; message?: string };
  const text = typeof e?.format === 'function' ? e.format() : e?.message ?? String(err);
  process.stderr.write(text.endsWith('\n') ? text : `ERROR: ${text}\n`);
  return typeof e?.exitCode === 'number' ? e.exitCode : 1;
}
