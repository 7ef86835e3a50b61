// USTAR + PAX header encoding and decoding. Written by hand instead of using tar-stream
// because layer tars carry binary PAX values (SCHILY.xattr.security.capability) and ids
// above 262143, which tar-stream's encoder and decoder mangle.

import { decodeName, nameBytes } from './byte-names.js';

export type TarEntryType = 'file' | 'link' | 'symlink' | 'char' | 'block' | 'dir' | 'fifo';

export interface TarHeader {
  /** Path inside the archive; directories end with '/' when written. */
  name: string;
  type: TarEntryType;
  /** Permission bits plus setuid/setgid/sticky (07777). */
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** Seconds since the epoch (may be fractional when read from a PAX mtime). */
  mtime: number;
  linkname: string;
  devmajor: number;
  devminor: number;
  uname: string;
  gname: string;
  /** Extended attributes (PAX SCHILY.xattr.*), values as raw bytes. */
  xattrs: Map<string, Buffer>;
}

export const BLOCK = 512;
const XATTR_PREFIX = 'SCHILY.xattr.';

const TYPEFLAGS: Record<TarEntryType, string> = {
  file: '0',
  link: '1',
  symlink: '2',
  char: '3',
  block: '4',
  dir: '5',
  fifo: '6',
};

export function emptyHeader(name: string, type: TarEntryType): TarHeader {
  return {
    name, type, mode: 0, uid: 0, gid: 0, size: 0, mtime: 0, linkname: '',
    devmajor: 0, devminor: 0, uname: '', gname: '', xattrs: new Map(),
  };
}

/** Bytes needed to pad `size` up to a whole block. */
export function padding(size: number): number {
  const rest = size % BLOCK;
  return rest === 0 ? 0 : BLOCK - rest;
}

function fitsOctal(value: number, width: number): boolean {
  // width includes the terminating NUL
  return Number.isInteger(value) && value >= 0 && value < 8 ** (width - 1);
}

function writeOctal(buf: Buffer, offset: number, width: number, value: number): void {
  const digits = value.toString(8).padStart(width - 1, '0');
  buf.write(digits, offset, width - 1, 'ascii');
  buf[offset + width - 1] = 0;
}

function isAscii(s: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /^[\x01-\x7f]*$/.test(s);
}

/** Splits a long name into USTAR prefix/name like Go's archive/tar, or undefined when it cannot. */
function splitUstarName(name: string): { prefix: string; name: string } | undefined {
  if (name.length <= 100) return { prefix: '', name };
  let length = name.length;
  if (length > 156) length = 156;
  else if (name[length - 1] === '/') length--;
  const i = name.lastIndexOf('/', length - 1);
  const rest = name.slice(i + 1);
  if (i <= 0 || rest.length > 100 || rest.length === 0) return undefined;
  return { prefix: name.slice(0, i), name: rest };
}

function paxRecord(key: string, value: Buffer): Buffer {
  // "%d %s=%s\n" where %d counts the whole record including itself.
  const body = Buffer.concat([Buffer.from(` ${key}=`, 'utf8'), value, Buffer.from('\n')]);
  let len = body.length + 1;
  while (String(len).length + body.length !== len) len = String(len).length + body.length;
  return Buffer.concat([Buffer.from(String(len), 'ascii'), body]);
}

function ustarBlock(h: TarHeader, name: string, prefix: string, linkname: string,
  typeflag: string, size: number): Buffer {
  const buf = Buffer.alloc(BLOCK);
  buf.write(name, 0, 100, 'utf8');
  writeOctal(buf, 100, 8, h.mode & 0o7777);
  writeOctal(buf, 108, 8, fitsOctal(h.uid, 8) ? h.uid : 0);
  writeOctal(buf, 116, 8, fitsOctal(h.gid, 8) ? h.gid : 0);
  writeOctal(buf, 124, 12, fitsOctal(size, 12) ? size : 0);
  const mtime = Math.floor(h.mtime);
  writeOctal(buf, 136, 12, fitsOctal(mtime, 12) ? mtime : 0);
  buf.write(typeflag, 156, 1, 'ascii');
  buf.write(linkname, 157, 100, 'utf8');
  buf.write('ustar\u000000', 257, 8, 'ascii');
  buf.write(h.uname, 265, 32, 'utf8');
  buf.write(h.gname, 297, 32, 'utf8');
  if (h.type === 'char' || h.type === 'block') {
    writeOctal(buf, 329, 8, h.devmajor);
    writeOctal(buf, 337, 8, h.devminor);
  }
  buf.write(prefix, 345, 155, 'utf8');
  // Checksum: sum of all bytes with the checksum field read as spaces.
  buf.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of buf) sum += b;
  writeOctal(buf, 148, 7, sum);
  buf[155] = 0x20;
  return buf;
}

/**
 * Encodes the header blocks for one entry: an optional PAX extended header (only when a
 * field does not fit USTAR or xattrs are present) followed by the USTAR block.
 */
export function encodeHeader(h: TarHeader): Buffer {
  const records: Array<[string, Buffer]> = [];
  let name = h.name;
  let prefix = '';
  const split = isAscii(h.name) ? splitUstarName(h.name) : undefined;
  if (split) {
    ({ name, prefix } = split);
  } else {
    records.push(['path', nameBytes(h.name)]);
    name = truncateUtf8(h.name, 100);
  }
  let linkname = h.linkname;
  if (linkname.length > 100 || !isAscii(linkname)) {
    records.push(['linkpath', nameBytes(linkname)]);
    linkname = truncateUtf8(linkname, 100);
  }
  if (!fitsOctal(h.uid, 8)) records.push(['uid', Buffer.from(String(h.uid))]);
  if (!fitsOctal(h.gid, 8)) records.push(['gid', Buffer.from(String(h.gid))]);
  if (!fitsOctal(h.size, 12)) records.push(['size', Buffer.from(String(h.size))]);
  const mtime = Math.floor(h.mtime);
  if (!fitsOctal(mtime, 12)) records.push(['mtime', Buffer.from(String(mtime))]);
  for (const [key, value] of h.xattrs) records.push([XATTR_PREFIX + key, value]);

  const main = ustarBlock(h, name, prefix, linkname, TYPEFLAGS[h.type], h.size);
  if (records.length === 0) return main;

  records.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const pax = Buffer.concat(records.map(([k, v]) => paxRecord(k, v)));
  const paxName = truncateUtf8(paxHeaderName(h.name), 100);
  const paxHeader = ustarBlock({ ...emptyHeader(paxName, 'file'), mode: 0 }, paxName, '', '', 'x', pax.length);
  return Buffer.concat([paxHeader, pax, Buffer.alloc(padding(pax.length)), main]);
}

/** Go's archive/tar names PAX headers DIR/PaxHeaders.0/BASE. */
function paxHeaderName(name: string): string {
  const trimmed = name.replace(/\/+$/, '');
  const slash = trimmed.lastIndexOf('/');
  const dir = slash >= 0 ? trimmed.slice(0, slash) : '.';
  const base = trimmed.slice(slash + 1);
  return `${dir}/PaxHeaders.0/${base}`;
}

function truncateUtf8(s: string, max: number): string {
  let out = s;
  while (Buffer.byteLength(out, 'utf8') > max) out = out.slice(0, -1);
  return out;
}

/** Two zero blocks end an archive. */
export const END_OF_ARCHIVE = Buffer.alloc(BLOCK * 2);

// ---------------------------------------------------------------- decoding

export class TarFormatError extends Error {}

export type RawTypeflag = string;

export interface RawHeader {
  typeflag: RawTypeflag;
  name: string;
  linkname: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  uname: string;
  gname: string;
  devmajor: number;
  devminor: number;
}

function readString(buf: Buffer, offset: number, width: number): string {
  const end = buf.indexOf(0, offset);
  const stop = end === -1 || end > offset + width ? offset + width : end;
  return decodeName(buf, offset, stop);
}

const isPad = (c: number): boolean => c === 0x20 || c === 0;

/**
 * A numeric field: octal text (leading and trailing spaces/NULs allowed) or GNU base-256.
 * The common shape is parsed byte by byte: headers are decoded a few hundred times in a fresh
 * process, where a string and three regular expressions per field cost ~30 us a header;
 * anything else is read as text by readNumberText (the same result or the same error).
 */
function readNumber(buf: Buffer, offset: number, width: number): number {
  const first = buf[offset] ?? 0;
  if (first & 0x80) {
    // GNU base-256: big-endian, high bit of the first byte marks it.
    if (first === 0xff) throw new TarFormatError('negative base-256 number in tar header');
    let value = first & 0x7f;
    for (let i = 1; i < width; i++) value = value * 256 + (buf[offset + i] ?? 0);
    return value;
  }
  const end = Math.min(offset + width, buf.length);
  let i = offset;
  while (i < end && isPad(buf[i]!)) i++;
  let value = 0;
  for (let c: number; i < end && (c = buf[i]!) >= 0x30 && c <= 0x37; i++) value = value * 8 + (c - 0x30);
  while (i < end && isPad(buf[i]!)) i++;
  return i === end ? value : readNumberText(buf, offset, width);
}

/** A numeric field read as ASCII text (high bits dropped), trimmed, then parsed as octal. */
function readNumberText(buf: Buffer, offset: number, width: number): number {
  const text = buf.toString('ascii', offset, offset + width).replace(/[\0 ]+$/g, '').replace(/^[ \0]+/, '');
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new TarFormatError(`invalid octal field ${JSON.stringify(text)} in tar header`);
  return parseInt(text, 8);
}

export function isZeroBlock(buf: Buffer): boolean {
  for (const b of buf) if (b !== 0) return false;
  return true;
}

/**
 * The sum of the header's bytes, its checksum field counted as eight spaces. A block at a
 * 4-byte aligned offset (as zlib's output and file reads give them) is summed a 32-bit word at
 * a time, two bytes per 16-bit lane (at most 128 * 510 < 2^16 each): a fresh process decodes a
 * few hundred headers, mostly before the loop is optimized (busybox's 284: ~9 -> ~4 ms).
 */
function headerChecksum(buf: Buffer): number {
  let sum = 8 * 0x20;
  if (buf.length === BLOCK && (buf.byteOffset & 3) === 0) {
    const words = new Uint32Array(buf.buffer, buf.byteOffset, BLOCK / 4);
    let lanes = 0;
    for (let i = 0; i < BLOCK / 4; i++) {
      const w = words[i]!;
      lanes += (w & 0xff00ff) + ((w >>> 8) & 0xff00ff);
    }
    sum += (lanes & 0xffff) + Math.floor(lanes / 0x10000);
    for (let i = 148; i < 156; i++) sum -= buf[i]!;
    return sum;
  }
  for (let i = 0; i < 148; i++) sum += buf[i] ?? 0;
  for (let i = 156; i < BLOCK; i++) sum += buf[i] ?? 0;
  return sum;
}

export function decodeRawHeader(buf: Buffer): RawHeader {
  let stored: number;
  try {
    stored = readNumber(buf, 148, 8);
  } catch {
    stored = -1;
  }
  const sum = headerChecksum(buf);
  if (stored !== sum) throw new TarFormatError('tar header checksum mismatch (not a tar stream, or corrupt)');
  let name = readString(buf, 0, 100);
  const magic = buf.toString('ascii', 257, 263);
  if (magic === 'ustar\0') {
    const prefix = readString(buf, 345, 155);
    if (prefix) name = `${prefix}/${name}`;
  }
  const flag = buf[156] === 0 ? '0' : String.fromCharCode(buf[156] ?? 0x30);
  return {
    typeflag: flag,
    name,
    linkname: readString(buf, 157, 100),
    mode: readNumber(buf, 100, 8),
    uid: readNumber(buf, 108, 8),
    gid: readNumber(buf, 116, 8),
    size: readNumber(buf, 124, 12),
    mtime: readNumber(buf, 136, 12),
    uname: readString(buf, 265, 32),
    gname: readString(buf, 297, 32),
    devmajor: readNumber(buf, 329, 8),
    devminor: readNumber(buf, 337, 8),
  };
}

/** Parses PAX records; values stay raw bytes (xattrs may be binary). */
export function decodePax(buf: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let pos = 0;
  while (pos < buf.length) {
    const space = buf.indexOf(0x20, pos);
    if (space === -1) break;
    const len = parseInt(buf.toString('ascii', pos, space), 10);
    if (!Number.isFinite(len) || len <= 0 || pos + len > buf.length) {
      throw new TarFormatError('malformed PAX record');
    }
    const record = buf.subarray(space + 1, pos + len - 1); // drop trailing \n
    const eq = record.indexOf(0x3d);
    if (eq === -1) throw new TarFormatError('malformed PAX record (no "=")');
    out.set(record.toString('utf8', 0, eq), Buffer.from(record.subarray(eq + 1)));
    pos += len;
  }
  return out;
}

const TYPES_BY_FLAG: Record<string, TarEntryType> = {
  '0': 'file', '7': 'file', '1': 'link', '2': 'symlink', '3': 'char', '4': 'block', '5': 'dir', '6': 'fifo',
};

/** Builds the final header from a raw USTAR header plus PAX / GNU long-name overrides. */
export function finishHeader(raw: RawHeader, pax: Map<string, Buffer>, longName?: string,
  longLink?: string): TarHeader {
  const type = TYPES_BY_FLAG[raw.typeflag];
  if (!type) throw new TarFormatError(`unsupported tar entry type ${JSON.stringify(raw.typeflag)} for ${raw.name}`);
  const h: TarHeader = {
    name: longName ?? raw.name,
    type,
    mode: raw.mode & 0o7777,
    uid: raw.uid,
    gid: raw.gid,
    size: raw.size,
    mtime: raw.mtime,
    linkname: longLink ?? raw.linkname,
    devmajor: raw.devmajor,
    devminor: raw.devminor,
    uname: raw.uname,
    gname: raw.gname,
    xattrs: new Map(),
  };
  for (const [key, value] of pax) {
    const text = (): string => value.toString('utf8');
    if (key === 'path') h.name = decodeName(value);
    else if (key === 'linkpath') h.linkname = decodeName(value);
    else if (key === 'uid') h.uid = parseInt(text(), 10);
    else if (key === 'gid') h.gid = parseInt(text(), 10);
    else if (key === 'size') h.size = parseInt(text(), 10);
    else if (key === 'mtime') h.mtime = parseFloat(text());
    else if (key === 'uname') h.uname = text();
    else if (key === 'gname') h.gname = text();
    else if (key.startsWith(XATTR_PREFIX)) h.xattrs.set(key.slice(XATTR_PREFIX.length), value);
  }
  return h;
}
