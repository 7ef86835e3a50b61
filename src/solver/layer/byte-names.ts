// File names are bytes, not text: a RUN step can create `printf 'bad\377name'`, and BuildKit
// (Go strings are bytes) carries it into the layer tar unchanged. Node's fs decodes names as
// UTF-8 and turns invalid bytes into U+FFFD, after which the name no longer opens. Here a
// name that is not valid UTF-8 is carried in a string with each invalid byte as the lone
// surrogate U+DC80+byte (Python's "surrogateescape"; valid UTF-8 never decodes to a lone
// surrogate, so nothing else maps there). fsPath() turns such a string back into its bytes
// for fs calls and nameBytes() for tar headers; valid UTF-8 names stay plain strings.
import { readdirSync, readlinkSync, type Dirent } from 'node:fs';

const ESCAPE = 0xdc00;

/** Length of the valid UTF-8 sequence starting at `i`, or 0 when the byte there starts none. */
function sequenceLength(b: Buffer, i: number): number {
  const c = b[i] as number;
  if (c < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf): boolean => {
    const x = b[i + k];
    return x !== undefined && x >= lo && x <= hi;
  };
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    const lo = c === 0xe0 ? 0xa0 : 0x80;
    const hi = c === 0xed ? 0x9f : 0xbf; // no UTF-16 surrogates encoded as UTF-8
    return cont(1, lo, hi) && cont(2) ? 3 : 0;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    const lo = c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xf4 ? 0x8f : 0xbf;
    return cont(1, lo, hi) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

/** A name's bytes as a string: plain UTF-8 when valid, invalid bytes escaped otherwise. */
export function decodeName(b: Buffer, start = 0, end = b.length): string {
  const plain = b.toString('utf8', start, end);
  if (!plain.includes('\ufffd')) return plain;
  let out = '';
  let run = start;
  for (let i = start; i < end;) {
    const n = sequenceLength(b, i);
    if (n > 0 && i + n <= end) {
      i += n;
      continue;
    }
    out += b.toString('utf8', run, i) + String.fromCharCode(ESCAPE + (b[i] as number));
    run = ++i;
  }
  return out + b.toString('utf8', run, end);
}

const SURROGATE = /[\ud800-\udfff]/;

const isEscape = (u: number): boolean => u >= ESCAPE + 0x80 && u <= ESCAPE + 0xff;

/** Whether `s` carries escaped bytes (it came from a name that is not valid UTF-8). */
export function hasEscapes(s: string): boolean {
  if (!SURROGATE.test(s)) return false; // the common case, answered by the regex engine
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    if (u >= 0xd800 && u <= 0xdbff) {
      i++; // a surrogate pair (an astral character): its low half is no escape
      continue;
    }
    if (isEscape(u)) return true;
  }
  return false;
}

/** The bytes of a name decodeName() gave (UTF-8 for the text, escapes back to their bytes). */
export function nameBytes(s: string): Buffer {
  if (!hasEscapes(s)) return Buffer.from(s, 'utf8');
  const parts: Buffer[] = [];
  let run = 0;
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    if (u >= 0xd800 && u <= 0xdbff) {
      i++;
      continue;
    }
    if (!isEscape(u)) continue;
    parts.push(Buffer.from(s.slice(run, i), 'utf8'), Buffer.from([u - ESCAPE]));
    run = i + 1;
  }
  parts.push(Buffer.from(s.slice(run), 'utf8'));
  return Buffer.concat(parts);
}

/** `p` for an fs call: the string itself, or its bytes when it carries escapes. */
export function fsPath(p: string): string | Buffer {
  return hasEscapes(p) ? nameBytes(p) : p;
}

/** readdirSync with every name kept exactly (decodeName). */
export function readdirNames(dir: string): string[] {
  return readdirSync(fsPath(dir), { encoding: 'buffer' }).map((b) => decodeName(b));
}

/** readdirSync withFileTypes, names kept exactly; `name` is the decoded name. */
export function readdirEntries(dir: string): Array<{ name: string; dirent: Dirent<Buffer> }> {
  return readdirSync(fsPath(dir), { encoding: 'buffer', withFileTypes: true }).map((d) => ({ name: decodeName(d.name), dirent: d }));
}

/** readlinkSync with the target kept exactly. */
export function readlinkName(p: string): string {
  return decodeName(readlinkSync(fsPath(p), { encoding: 'buffer' }));
}
