// The live `--progress=tty` view, after BuildKit's console display: a `[+] Building 1.2s (3/8)`
// header, one line per step with its timer (`CACHED`/`ERROR` prefixes, finished steps in
// blue and collapsed to that one line), the last few output lines of running steps, redrawn
// in place ~10 times a second with ANSI cursor moves. Off a terminal it only prints the final
// view. It closes with the full list and a one-line summary (steps, cached, time).
import { Chalk, chalkStderr, type ChalkInstance } from 'chalk';
import type { ProgressEvent, ProgressRenderer, ProgressSink } from './events.js';
import { nowSeconds } from './events.js';
import { VertexLog } from './vertex-log.js';

/** Output lines shown under a running step. */
const LIVE_LINES = 6;
const ERROR_LINES = 10;
const REDRAW_MS = 100;

interface Step {
  id: string;
  name: string;
  started?: number;
  completed?: number;
  cached: boolean;
  error?: string;
  statuses: string[];
  /** --explain-cache's reason, kept under the step after it finishes. */
  miss?: string;
  log: VertexLog;
}

export interface TTYTarget {
  write(text: string): void;
  /** Live redraws (cursor moves) only on a terminal. */
  isTTY: boolean;
  /** Read at every redraw (the terminal may be resized); 0 or absent = 80×24. */
  readonly columns?: number;
  readonly rows?: number;
}

// Output of RUN steps may carry its own escapes and carriage returns: keep what a line ends as.
const CONTROL = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-_]|[\x00-\x08\x0b-\x1f\x7f]/g;

function clean(text: string): string {
  const cr = text.lastIndexOf('\r', text.length - 2);
  return (cr >= 0 ? text.slice(cr + 1) : text).replace(CONTROL, '');
}

function fit(text: string, width: number): string {
  return text.length > width ? text.slice(0, Math.max(0, width)) : text;
}

/**
 * Colours as BuildKit's console: on a terminal unless NO_COLOR is set. chalk's own detection
 * turns colours off whenever CI is set, even on a real terminal, so it only decides the depth.
 */
function terminalColors(out: TTYTarget): ChalkInstance {
  if ('NO_COLOR' in process.env) return new Chalk({ level: 0 });
  return out.isTTY ? new Chalk({ level: Math.max(chalkStderr.level, 1) as 1 | 2 | 3 }) : chalkStderr;
}

export class TTYRenderer implements ProgressRenderer {
  private readonly steps = new Map<string, Step>();
  private readonly started = nowSeconds();
  private lineCount = 0;
  private timer: NodeJS.Timeout | undefined;
  private finished = false;
  private readonly color: ChalkInstance;

  constructor(private readonly out: TTYTarget, color: ChalkInstance = terminalColors(out)) {
    this.color = color;
    if (out.isTTY) {
      this.timer = setInterval(() => this.draw(false), REDRAW_MS);
      this.timer.unref();
    }
  }

  readonly sink: ProgressSink = (e) => this.handle(e);

  lastLines(id: string): string[] | undefined {
    return this.steps.get(id)?.log.tail.slice();
  }

  private step(id: string, name: string): Step {
    let s = this.steps.get(id);
    if (!s) {
      s = { id, name, cached: false, statuses: [], log: new VertexLog(ERROR_LINES) };
      this.steps.set(id, s);
    }
    return s;
  }

  private handle(e: ProgressEvent): void {
    switch (e.type) {
      case 'vertex-start': {
        const s = this.step(e.id, e.name);
        s.started = e.time;
        s.completed = undefined;
        return;
      }
      case 'vertex-cached': {
        const s = this.step(e.id, e.name);
        s.cached = true;
        s.started ??= e.time;
        s.completed = s.started;
        return;
      }
      case 'vertex-log': {
        const s = this.steps.get(e.id);
        if (s) s.log.push(e.data, e.time - (s.started ?? e.time));
        return;
      }
      case 'vertex-status': {
        this.steps.get(e.id)?.statuses.push(e.text);
        return;
      }
      case 'vertex-miss': {
        const s = this.steps.get(e.id);
        if (s) s.miss = e.reason;
        return;
      }
      case 'vertex-done':
      case 'vertex-error': {
        const s = this.steps.get(e.id);
        if (!s) return;
        s.log.flush();
        s.completed = e.time;
        if (e.type === 'vertex-error') s.error = e.error;
        return;
      }
    }
  }

  /** The view's lines; `all` for the final one (no height limit, no live output). */
  frame(all: boolean, now = nowSeconds()): string[] {
    const width = Math.max(20, (this.out.columns || 80) - 1);
    const c = this.color;
    const steps = [...this.steps.values()].filter((s) => s.started !== undefined);
    const done = steps.filter((s) => s.completed !== undefined).length;
    const complete = all && done === steps.length && steps.length > 0;
    const header = `[+] Building ${(now - this.started).toFixed(1)}s (${done}/${steps.length})${complete ? ' FINISHED' : ''}`;
    const body: { text: string; running: boolean }[] = [];
    for (const s of steps) {
      const running = s.completed === undefined;
      const secs = Math.max(0, (s.completed ?? now) - s.started!);
      const timer = ` ${(secs < 0.05 ? 0 : secs).toFixed(1)}s`;
      const name = `${s.error ? 'ERROR ' : ''}${s.cached ? 'CACHED ' : ''}${s.name.replace(/\t/g, ' ')}`;
      const left = fit(` => ${name}`, width - timer.length - 1);
      let line = `${left.padEnd(width - timer.length)}${timer}`;
      line = s.error ? c.red(line) : running ? line : c.blue(line);
      body.push({ text: line, running });
      if (s.miss) body.push({ text: c.yellow(fit(` => => MISS: ${clean(s.miss)}`, width)), running });
      if (!running || all) continue;
      for (const st of s.statuses.slice(-2)) body.push({ text: c.blue(fit(` => => ${clean(st)}`, width)), running: true });
      const tail = s.log.tail.slice(-LIVE_LINES).map((l) => l.slice(l.indexOf(' ') + 1));
      const partial = s.log.peek();
      if (partial !== undefined) tail.push(partial.slice(partial.indexOf(' ') + 1));
      for (const l of tail.slice(-LIVE_LINES)) body.push({ text: c.dim(fit(` => => # ${clean(l)}`, width)), running: true });
    }
    if (!all) {
      // Too tall for the terminal: finished steps at the top go first.
      const limit = Math.max(1, (this.out.rows || 24) - 2);
      while (body.length > limit) {
        const i = body.findIndex((b) => !b.running);
        body.splice(i < 0 ? 0 : i, 1);
      }
    }
    return [c.bold(header), ...body.map((b) => b.text)];
  }

  private draw(all: boolean): void {
    const lines = this.frame(all);
    // The cursor is hidden only while a frame is written (as BuildKit), so an interrupted
    // build never leaves the terminal without one.
    let text = `\x1b[?25l${this.lineCount > 0 ? `\x1b[${this.lineCount}A\r` : ''}`;
    text += lines.map((l) => `${l}\x1b[K\n`).join('');
    text += '\x1b[J\x1b[?25h';
    this.out.write(text);
    this.lineCount = lines.length;
  }

  /** One line: how many steps ran, how many came from the cache, how long it took. */
  summary(now = nowSeconds()): string {
    const steps = [...this.steps.values()].filter((s) => s.started !== undefined);
    const cached = steps.filter((s) => s.cached).length;
    const failed = steps.filter((s) => s.error).length;
    const time = `${(now - this.started).toFixed(1)}s`;
    const counts = `${steps.length} step${steps.length === 1 ? '' : 's'}, ${cached} cached`;
    return failed ? this.color.red(`Build failed after ${time}: ${counts}, ${failed} failed`)
      : this.color.green(`Build finished in ${time}: ${counts}`);
  }

  finish(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.timer) clearInterval(this.timer);
    if (this.out.isTTY) {
      this.draw(true);
      this.out.write(`${this.summary()}\n`);
    } else {
      this.out.write(`${this.frame(true).join('\n')}\n${this.summary()}\n`);
    }
  }
}
