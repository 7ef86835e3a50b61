// Docker-style transfer progress for pull and push: on a terminal, one line per layer redrawn
// in place with a bar; otherwise plain lines, one per layer state change
// (`<id>: Pull complete`), never byte counts.

export interface TransferProgress {
  /** A line printed once (`latest: Pulling from library/busybox`). */
  line(text: string): void;
  /** A layer's status; `current/total` bytes make a bar on a terminal and are ignored otherwise. */
  layer(id: string, status: string, current?: number, total?: number): void;
  /** Ends the per-layer block (final redraw). */
  done(): void;
}

interface Writable {
  write(s: string): unknown;
}

export function shortId(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}

export function humanSize(n: number): string {
  // Docker's units.HumanSize: decimal units, 3 significant digits.
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${Number(v.toPrecision(3))}${units[i]}`;
}

function bar(current: number, total: number): string {
  const width = 50;
  const filled = total > 0 ? Math.min(width, Math.floor((current / total) * width)) : 0;
  const arrow = filled < width ? '>' : '';
  return `[${'='.repeat(filled)}${arrow}${' '.repeat(Math.max(0, width - filled - arrow.length))}] ${humanSize(current)}/${humanSize(total)}`;
}

class PlainProgress implements TransferProgress {
  private readonly last = new Map<string, string>();
  constructor(private readonly out: Writable) {}
  line(text: string): void {
    this.out.write(`${text}\n`);
  }
  layer(id: string, status: string, current?: number): void {
    if (current !== undefined) return;
    if (this.last.get(id) === status) return;
    this.last.set(id, status);
    this.out.write(`${id}: ${status}\n`);
  }
  done(): void {}
}

class TtyProgress implements TransferProgress {
  private readonly order: string[] = [];
  private readonly text = new Map<string, string>();
  private drawn = 0;
  private dirty = false;
  private lastDraw = 0;
  private timer: NodeJS.Timeout | undefined;
  constructor(private readonly out: Writable) {}

  line(text: string): void {
    this.flush();
    this.out.write(`${text}\n`);
    // Lines printed after the block push it up: start a new block.
    this.order.length = 0;
    this.text.clear();
    this.drawn = 0;
  }
  layer(id: string, status: string, current?: number, total?: number): void {
    if (!this.text.has(id)) this.order.push(id);
    this.dirty = true;
    this.text.set(id, current !== undefined && total !== undefined ? `${id}: ${status} ${bar(current, total)}` : `${id}: ${status}`);
    if (current === undefined || Date.now() - this.lastDraw > 100) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), 100);
  }
  done(): void {
    this.flush();
  }
  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.dirty) return;
    this.dirty = false;
    this.lastDraw = Date.now();
    let s = this.drawn > 0 ? `\x1b[${this.drawn}A` : '';
    for (const id of this.order) s += `\x1b[2K\r${this.text.get(id)}\n`;
    this.drawn = this.order.length;
    if (s) this.out.write(s);
  }
}

class QuietProgress implements TransferProgress {
  line(): void {}
  layer(): void {}
  done(): void {}
}

export function makeProgress(out: Writable & { isTTY?: boolean }, opts: { quiet?: boolean } = {}): TransferProgress {
  if (opts.quiet) return new QuietProgress();
  return out.isTTY ? new TtyProgress(out) : new PlainProgress(out);
}

export const silentProgress: TransferProgress = new QuietProgress();
