// Docker's table layout: text/tabwriter with minwidth 10, padding 3, space padding. A cell
// ends at a tab; the last cell of a line is not aligned (and not padded).
const MIN_WIDTH = 10;
const PADDING = 3;

export function tabwrite(text: string): string {
  const lines = text.split('\n');
  const trailingNewline = lines[lines.length - 1] === '';
  if (trailingNewline) lines.pop();
  const rows = lines.map((l) => l.split('\t'));
  const widths: number[] = [];
  for (const cells of rows) {
    cells.slice(0, -1).forEach((c, i) => {
      widths[i] = Math.max(widths[i] ?? MIN_WIDTH, displayWidth(c) + PADDING);
    });
  }
  const out = rows.map((cells) =>
    cells.map((c, i) => (i < cells.length - 1 ? c + ' '.repeat(Math.max(0, (widths[i] ?? 0) - displayWidth(c))) : c)).join(''),
  );
  return out.join('\n') + (trailingNewline ? '\n' : '');
}

function displayWidth(s: string): number {
  return [...s].length;
}

/** Docker's Ellipsis: cut to `max` characters, the last one being `…`. */
export function ellipsis(s: string, max: number): string {
  const chars = [...s];
  if (chars.length <= max) return s;
  return `${chars.slice(0, max - 1).join('')}…`;
}
