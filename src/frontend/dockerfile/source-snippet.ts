// BuildKit's source snippet (solver/errdefs Source.Print), under build errors and check
// warnings: `FILE:N` (the first marked line), the marked lines as `>>>` with context (up to two
// lines on each side of a one-line range, one around longer ones), each line as ` %3d | `.

export interface LineRange {
  /** 1-based first line. */
  start: number;
  /** 1-based last line (the start line when smaller). */
  end: number;
}

export function formatSourceSnippet(filename: string, data: string, ranges: readonly LineRange[]): string {
  if (ranges.length === 0) return '';
  const lines = data.split('\n');
  let start = Math.min(...ranges.map((r) => r.start));
  let end = Math.min(lines.length, Math.max(...ranges.map((r) => Math.max(r.end, r.start))));
  if (start < 1 || start > lines.length) return '';
  const first = start;
  const pad = end === start ? 4 : 2;
  for (let p = 0; p < pad; p++) {
    if (start > 1) {
      start--;
      p++;
    }
    if (end !== lines.length) {
      end++;
      p++;
    }
  }
  const marked = (n: number) => ranges.some((r) => n >= r.start && n <= Math.max(r.end, r.start));
  const out = [`${filename}:${first}`, '--------------------'];
  for (let n = start; n <= end; n++) out.push(` ${String(n).padStart(3)} | ${marked(n) ? '>>>' : '   '} ${lines[n - 1] ?? ''}`);
  out.push('--------------------');
  return `${out.join('\n')}\n`;
}
