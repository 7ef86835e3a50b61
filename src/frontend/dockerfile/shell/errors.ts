import { goQuote } from './go-quote.js';

/**
 * A word that could not be expanded. The message follows BuildKit:
 * `failed to process "<word>": <reason>`. The converter adds the Dockerfile location.
 */
export class ShellExpansionError extends Error {
  /** The word as written, before expansion. */
  readonly word: string;
  /** The reason alone, e.g. `syntax error: bad substitution`. */
  readonly reason: string;

  constructor(word: string, reason: string) {
    super(`failed to process ${goQuote(word)}: ${reason}`);
    this.name = 'ShellExpansionError';
    this.word = word;
    this.reason = reason;
  }
}

/** Internal: thrown while scanning, wrapped into a ShellExpansionError at the top. */
export class LexFailure extends Error {
  override readonly name = 'LexFailure';
}
