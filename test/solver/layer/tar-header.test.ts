import { describe, expect, it } from 'vitest';
import { BLOCK, TarFormatError, decodeRawHeader, emptyHeader, encodeHeader } from '../../../src/solver/layer/tar-header.js';

// The numeric-field decoding decodeRawHeader had before it parsed fields byte by byte: every
// header must decode to the same values, or fail with the same message.
function textNumber(buf: Buffer, offset: number, width: number): number {
  const first = buf[offset] ?? 0;
  if (first & 0x80) {
    if (first === 0xff) throw new TarFormatError('negative base-256 number in tar header');
    let value = first & 0x7f;
    for (let i = 1; i < width; i++) value = value * 256 + (buf[offset + i] ?? 0);
    return value;
  }
  const text = buf.toString('ascii', offset, offset + width).replace(/[\0 ]+$/g, '').replace(/^[ \0]+/, '');
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new TarFormatError(`invalid octal field ${JSON.stringify(text)} in tar header`);
  return parseInt(text, 8);
}

const FIELDS: Array<[number, number]> = [[100, 8], [108, 8], [116, 8], [124, 12], [136, 12], [329, 8], [337, 8]];

function reference(buf: Buffer): number[] | string {
  try {
    return FIELDS.map(([o, w]) => textNumber(buf, o, w));
  } catch (err) {
    return (err as Error).message;
  }
}

function decoded(buf: Buffer): number[] | string {
  try {
    const h = decodeRawHeader(buf);
    return [h.mode, h.uid, h.gid, h.size, h.mtime, h.devmajor, h.devminor];
  } catch (err) {
    return (err as Error).message;
  }
}

function withChecksum(buf: Buffer): Buffer {
  buf.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of buf) sum += b;
  buf.write(sum.toString(8).padStart(6, '0'), 148, 'ascii');
  buf[154] = 0;
  return buf;
}

// A small deterministic generator (no flaky failures).
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('decodeRawHeader numeric fields', () => {
  it('decodes as the text-and-regexp reading did, errors included', () => {
    const base = encodeHeader({ ...emptyHeader('bin/sh', 'char'), mode: 0o4755, uid: 1000, gid: 50, mtime: 1700000000, devmajor: 1, devminor: 3 });
    expect(base.length).toBe(BLOCK);
    expect(decoded(base)).toEqual([0o4755, 1000, 50, 0, 1700000000, 1, 3]);
    // Bytes that matter: digits, pads, non-octal text, high-bit bytes ('ascii' drops the bit).
    const alphabet = [0x30, 0x31, 0x37, 0x20, 0x00, 0x38, 0x78, 0x2d, 0xb0, 0xb7, 0xa0, 0x80, 0x0a];
    const next = rng(42);
    let failures = 0;
    for (let round = 0; round < 3000; round++) {
      const buf = Buffer.from(base);
      for (const [offset, width] of FIELDS) {
        if (next() < 0.5) continue;
        for (let i = 0; i < width; i++) {
          const r = next();
          // Mostly well-formed shapes, some noise.
          buf[offset + i] = r < 0.6 ? 0x30 + Math.floor(next() * 8) : alphabet[Math.floor(next() * alphabet.length)]!;
        }
        if (next() < 0.3) buf[offset] = 0x20;
        if (next() < 0.3) buf[offset + width - 1] = 0;
      }
      // The first byte of a field with its high bit set is base-256: keep most fields textual.
      withChecksum(buf);
      const want = reference(buf);
      if (typeof want === 'string') failures++;
      expect(decoded(buf)).toEqual(want);
      // The same block at an odd offset (summed a byte at a time, not a word at a time).
      const odd = Buffer.concat([Buffer.alloc(1), buf]).subarray(1);
      expect(odd.byteOffset & 3).not.toBe(0);
      expect(decoded(odd)).toEqual(want);
    }
    expect(failures).toBeGreaterThan(100); // the error path was exercised too
  });

  it('reads GNU base-256 and refuses negative ones', () => {
    const buf = Buffer.from(encodeHeader({ ...emptyHeader('f', 'file'), size: 0 }));
    buf.fill(0, 124, 136);
    buf[124] = 0x80;
    buf.writeUIntBE(2 ** 40 + 5, 130, 6);
    expect(decodeRawHeader(withChecksum(buf)).size).toBe(2 ** 40 + 5);
    buf[108] = 0xff;
    expect(() => decodeRawHeader(withChecksum(buf))).toThrow(/negative base-256/);
  });

  it('checks the checksum, whatever the block holds and wherever it lies', () => {
    const next = rng(7);
    for (let round = 0; round < 200; round++) {
      // High bytes everywhere (the word-wise sum's lanes near their limit) or random ones.
      const buf = Buffer.alloc(BLOCK, round % 2 ? 0xff : 0);
      if (round % 4 >= 2) for (let i = 0; i < BLOCK; i++) buf[i] = Math.floor(next() * 256);
      buf.write('0000644\0', 100, 'ascii');
      buf.fill(0x30, 124, 135);
      buf[135] = 0;
      buf[156] = 0x30;
      buf.fill(0x30, 108, 124);
      buf.fill(0x30, 136, 148);
      buf.fill(0x30, 329, 345);
      withChecksum(buf);
      for (const at of [0, 1, 2, 3, 4]) {
        const placed = Buffer.concat([Buffer.alloc(at), buf]).subarray(at);
        expect(() => decodeRawHeader(placed)).not.toThrow();
        const bad = Buffer.from(placed);
        bad[round % 148]! ^= 1;
        expect(() => decodeRawHeader(bad)).toThrow(/checksum mismatch/);
      }
    }
  });
});
