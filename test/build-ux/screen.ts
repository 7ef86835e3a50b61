// A minimal terminal: applies the output of the tty progress (text, CR/LF, cursor up, erase
// line / below, colours ignored) to a grid of lines, so tests can check what a user finally
// sees and that no escape sequence was left unhandled.
export function renderScreen(output: string): string[] {
  const lines: string[] = [''];
  let row = 0;
  let col = 0;
  const put = (ch: string): void => {
    const line = lines[row] ?? '';
    lines[row] = line.padEnd(col).slice(0, col) + ch + line.slice(col + 1);
    col++;
  };
  for (let i = 0; i < output.length; i++) {
    const ch = output[i]!;
    if (ch === '\x1b') {
      const m = /^\x1b\[(\??)(\d*(?:;\d+)*)([A-Za-z])/.exec(output.slice(i));
      if (!m) throw new Error(`unhandled escape at ${i}: ${JSON.stringify(output.slice(i, i + 10))}`);
      const [all, priv, arg, cmd] = m as unknown as [string, string, string, string];
      const n = Number(arg || '1');
      if (priv === '?' && (cmd === 'l' || cmd === 'h')) { /* cursor hide/show */ }
      else if (cmd === 'm') { /* colours */ }
      else if (cmd === 'A') row = Math.max(0, row - n);
      else if (cmd === 'K') lines[row] = (lines[row] ?? '').slice(0, col);
      else if (cmd === 'J') {
        lines.length = row + 1;
        lines[row] = (lines[row] ?? '').slice(0, col);
      }
      else throw new Error(`unhandled escape ${JSON.stringify(all)}`);
      i += all.length - 1;
    } else if (ch === '\r') col = 0;
    else if (ch === '\n') {
      row++;
      col = 0;
      while (lines.length <= row) lines.push('');
    } else if (ch < ' ') throw new Error(`stray control character ${JSON.stringify(ch)} at ${i}`);
    else put(ch);
  }
  while (lines.length && lines.at(-1) === '') lines.pop();
  return lines;
}
