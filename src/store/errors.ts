// Errors the image commands print Docker's way: `Error: …`, exit status 1.
export class ImageCommandError extends Error {
  readonly exitCode: number = 1;
  constructor(message: string) {
    super(message);
    this.name = 'ImageCommandError';
  }
  format(): string {
    return `Error: ${this.message}\n`;
  }
}

export class NoSuchImageError extends ImageCommandError {
  constructor(readonly image: string) {
    super(`No such image: ${image}`);
    this.name = 'NoSuchImageError';
  }
}

/** Several failures from one command (e.g. `rmi a b`): each on its own `Error:` line. */
export class MultipleErrors extends Error {
  readonly exitCode = 1;
  constructor(readonly errors: Error[]) {
    super(errors.map((e) => e.message).join('\n'));
    this.name = 'MultipleErrors';
  }
  format(): string {
    return this.errors.map((e) => (e instanceof ImageCommandError ? e.format() : `Error: ${e.message}\n`)).join('');
  }
}
