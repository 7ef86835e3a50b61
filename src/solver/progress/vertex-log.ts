// A vertex's output split into lines the way BuildKit's progress UI does it: each line is
// stamped with the seconds since the vertex started (3 decimals under 10 s, 2 under 100 s,
// then 1), partial lines wait for their newline, and the last few lines are kept for the
// error box printed after a failure.

/** BuildKit's log timestamp: `0.123`, `12.34`, `123.4`. */
export function formatLogTime(seconds: number): string {
  const s = Math.max(0, seconds);
  return s.toFixed(s < 10 ? 3 : s < 100 ? 2 : 1);
}

export class VertexLog {
  private partial = '';
  private partialStamp = '';
  /** The last `keep` complete lines, `0.123 text`. */
  readonly tail: string[] = [];

  constructor(private readonly keep: number) {}

  /** Adds output written `elapsed` seconds after the vertex started; returns the complete lines (`0.123 text`). */
  push(data: Buffer | string, elapsed: number): string[] {
    const text = typeof data === 'string' ? data : data.toString('utf8');
    if (text === '') return [];
    const parts = text.split('\n');
    const out: string[] = [];
    for (let i = 0; i < parts.length; i++) {
      const piece = parts[i]!;
      const last = i === parts.length - 1;
      if (this.partial === '' && this.partialStamp === '') this.partialStamp = formatLogTime(elapsed);
      this.partial += piece;
      if (last) {
        // Text after the final newline (or no newline at all) waits for the rest of its line.
        if (this.partial === '') this.partialStamp = '';
        break;
      }
      out.push(this.take());
    }
    return out;
  }

  /** The unfinished last line, if any (at the end of the vertex). */
  flush(): string | undefined {
    return this.partial === '' ? undefined : this.take();
  }

  /** The partial line as it stands, without consuming it (live views). */
  peek(): string | undefined {
    return this.partial === '' ? undefined : `${this.partialStamp} ${this.partial}`;
  }

  private take(): string {
    const line = `${this.partialStamp} ${this.partial.replace(/\r$/, '')}`;
    this.partial = '';
    this.partialStamp = '';
    this.tail.push(line);
    if (this.tail.length > this.keep) this.tail.shift();
    return line;
  }
}
