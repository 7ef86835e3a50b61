// File-op errors name paths relative to the root they act on, never host paths,
// as BuildKit trims the mount point from its PathErrors.

export class FileOpError extends Error {
  readonly code: string | undefined;
  constructor(message: string, code?: string) {
    super(message);
    this.code = code;
  }
}

/** Go's PathError text, e.g. `lstat /a/b: no such file or directory`. */
export function pathError(op: string, rel: string, code: string): FileOpError {
  const text: Record<string, string> = {
    ENOENT: 'no such file or directory',
    ENOTDIR: 'not a directory',
    EEXIST: 'file exists',
    EISDIR: 'is a directory',
    ELOOP: 'too many levels of symbolic links',
  };
  return new FileOpError(`${op} ${displayPath(rel)}: ${text[code] ?? code}`, code);
}

/** A root-relative path shown as absolute, like BuildKit's messages. */
export function displayPath(rel: string): string {
  const clean = rel.split('/').filter((c) => c !== '' && c !== '.').join('/');
  return '/' + clean;
}

export function errnoCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new FileOpError('file operation aborted', 'ABORT_ERR');
}
