// Standard output and error without Node's process.stdout/stderr streams where a write is
// synchronous anyway (pipes, files and terminals, on Linux): creating one of those streams
// loads Node's net and tty modules and opens a socket handle, ~1.7 ms of a fully cached
// build that only prints its progress.
import { fstatSync, writeSync } from 'node:fs';

/** The stream a descriptor fell back to (EAGAIN on a non-blocking descriptor, EPIPE, …). */
const fallback = new Map<number, NodeJS.WriteStream>();

/** Writes all of `text` to fd 1 or 2; after any error the stream writes it, and all later text. */
export function writeFd(fd: 1 | 2, text: string): void {
  if (text === '') return;
  const stream = fallback.get(fd);
  if (stream) {
    stream.write(text);
    return;
  }
  let buf = Buffer.from(text);
  try {
    while (buf.length > 0) buf = buf.subarray(writeSync(fd, buf));
  } catch {
    // The stream handles what the descriptor refused, as it would have from the start:
    // waits for a non-blocking pipe, or reports the error (EPIPE) its own way.
    const s = fd === 1 ? process.stdout : process.stderr;
    fallback.set(fd, s);
    s.write(buf);
  }
}

export const writeStderr = (text: string): void => writeFd(2, text);

/** Whether fd 2 is a terminal; a pipe, file or socket is known not to be without Node's tty module. */
export function stderrIsTTY(): boolean {
  try {
    const st = fstatSync(2);
    if (st.isFIFO() || st.isFile() || st.isSocket()) return false;
  } catch {
    return false;
  }
  return process.stderr.isTTY === true;
}

/**
 * Runs `fn` with process.stdout when something first uses it (it is created on first use):
 * a handler attached up front would create it on every run.
 */
export function whenStdoutCreated(fn: (stdout: NodeJS.WriteStream) => void): void {
  const desc = Object.getOwnPropertyDescriptor(process, 'stdout');
  const get = desc?.get;
  if (!desc || !get || !desc.configurable) {
    fn(process.stdout);
    return;
  }
  Object.defineProperty(process, 'stdout', {
    configurable: true,
    enumerable: desc.enumerable ?? true,
    get() {
      Object.defineProperty(process, 'stdout', desc);
      const stdout = get.call(process) as NodeJS.WriteStream;
      fn(stdout);
      return stdout;
    },
  });
}
