// Names that are not valid UTF-8 (a RUN step's `touch "$(printf 'bad\377')"`): BuildKit carries
// their bytes into the layer tar unchanged; Node's fs would turn them into U+FFFD, which names
// no file (the layer export failed with ENOENT).
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { applyLayer } from '../../../src/solver/layer/apply-layer.js';
import { decodeName, fsPath, hasEscapes, nameBytes, readdirNames, readlinkName } from '../../../src/solver/layer/byte-names.js';
import { writeLayerTar } from '../../../src/solver/layer/write-layer.js';
import { collect, listTar, makeTar } from '../snapshot/tar-fixtures.js';

const temps: string[] = [];
afterEach(() => {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
});

const b = (...parts: Array<string | number[]>): Buffer =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

describe('byte names', () => {
  it('decodes valid UTF-8 as is and escapes only the invalid bytes, reversibly', () => {
    const cases = [
      b('plain'), b('café ☃ 😀'), b('\ufffd literal'),
      b('bad', [0xff], 'name'), b([0xfe]), b('x', [0xc3]), b([0xe2, 0x82]), b([0xed, 0xa0, 0x80]),
      b([0xc0, 0xaf]), b([0xf4, 0x90, 0x80, 0x80]), b('😀', [0x80], '😀', [0xdc]), b([0xf0, 0x9f, 0x98]),
    ];
    for (const bytes of cases) {
      const s = decodeName(bytes);
      expect(nameBytes(s).equals(bytes)).toBe(true);
      expect(hasEscapes(s)).toBe(!Buffer.from(bytes.toString('utf8'), 'utf8').equals(bytes));
    }
    expect(decodeName(b('plain'))).toBe('plain');
    expect(decodeName(b('a', [0xff]))).toBe('a\udcff');
    // An astral character's low surrogate is no escape.
    expect(hasEscapes('😀')).toBe(false);
    expect(fsPath('/a/😀')).toBe('/a/😀');
    expect(fsPath('/a/x\udcff')).toEqual(b('/a/x', [0xff]));
  });

  it('writes a RUN layer with such names: files, links, whiteouts and an opaque directory', async () => {
    const base = mkdtempSync(path.join(tmpdir(), 'slipway-bytes-'));
    temps.push(base);
    const lower = path.join(base, 'lower');
    const upper = path.join(base, 'upper');
    mkdirSync(lower);
    mkdirSync(upper);
    const sh = (script: string, cwd: string): void => { execFileSync('sh', ['-c', script], { cwd }); };
    // Lower: a directory and a file with bad bytes in their names.
    sh(`mkdir "$(printf 'dir\\376')" && echo old > "$(printf 'dir\\376')/old" && echo g > "$(printf 'gone\\374')"`, lower);
    // Upper: the directory replaced (opaque), the file deleted (whiteout), new entries.
    sh(`mkdir "$(printf 'dir\\376')" && echo new > "$(printf 'dir\\376')/new" &&
        setfattr -n trusted.overlay.opaque -v y "$(printf 'dir\\376')" &&
        mknod "$(printf 'gone\\374')" c 0 0 && echo bad > "$(printf 'bad\\377name')" &&
        ln -s "$(printf 'bad\\377name')" link && ln "$(printf 'bad\\377name')" "$(printf 'hard\\375')"`, upper);
    writeFileSync(path.join(upper, 'plain'), 'p');
    expect(readdirNames(upper).filter(hasEscapes)).toHaveLength(4);

    const entries = await listTar(await collect(writeLayerTar({ upperdir: upper, lowers: [lower] })));
    const got = entries.map((e) => [nameBytes(e.header.name).toString('latin1'), e.header.type, nameBytes(e.header.linkname).toString('latin1')]);
    const l1 = (s: string): string => Buffer.from(s, 'latin1').toString('latin1');
    expect(got).toEqual([
      [l1('bad\xffname'), 'file', ''],
      [l1('dir\xfe/'), 'dir', ''],
      [l1('dir\xfe/.wh..wh..opq'), 'file', ''],
      [l1('dir\xfe/new'), 'file', ''],
      [l1('.wh.gone\xfc'), 'file', ''],
      [l1('hard\xfd'), 'link', l1('bad\xffname')],
      ['link', 'symlink', l1('bad\xffname')],
      ['plain', 'file', ''],
    ]);
    expect(entries.find((e) => e.header.name === decodeName(b('bad', [0xff], 'name')))?.content.toString()).toBe('bad\n');
  });

  it('applies such a layer (a base image made by BuildKit) with the names exact', async () => {
    const base = mkdtempSync(path.join(tmpdir(), 'slipway-bytes-'));
    temps.push(base);
    const src = path.join(base, 'src');
    mkdirSync(src);
    execFileSync('sh', ['-c', `mkdir "$(printf 'dir\\376')" && echo in > "$(printf 'dir\\376')/f" &&
      ln "$(printf 'dir\\376')/f" "$(printf 'hard\\375')" && ln -s "$(printf 'dir\\376')/f" "$(printf 'sym\\377')"`], { cwd: src });
    const tar = await collect(writeLayerTar({ upperdir: src, lowers: [] }));
    const dest = path.join(base, 'dest');
    mkdirSync(dest);
    // The directory exists already (with an old file): the layer's entries merge into it.
    execFileSync('sh', ['-c', `mkdir "$(printf 'dir\\376')" && echo old > "$(printf 'dir\\376')/old"`], { cwd: dest });
    await applyLayer(Readable.from([tar]), dest, { whiteouts: 'flatten' });
    const bytes = (s: string): string => nameBytes(s).toString('hex');
    expect(readdirNames(dest).map(bytes).sort()).toEqual(['dir\xfe', 'hard\xfd', 'sym\xff'].map((n) => Buffer.from(n, 'latin1').toString('hex')));
    const dir = path.join(dest, decodeName(Buffer.from('dir\xfe', 'latin1')));
    expect(readdirNames(dir).sort()).toEqual(['f', 'old']);
    expect(readFileSync(fsPath(path.join(dir, 'f')), 'utf8')).toBe('in\n');
    expect(lstatSync(fsPath(path.join(dir, 'f'))).nlink).toBe(2);
    expect(bytes(readlinkName(path.join(dest, decodeName(Buffer.from('sym\xff', 'latin1')))))).toBe(Buffer.from('dir\xfe/f', 'latin1').toString('hex'));
  });

  it('makes whiteouts and fifos of such names exactly in an overlay-format layer', async () => {
    const base = mkdtempSync(path.join(tmpdir(), 'slipway-bytes-'));
    temps.push(base);
    const dest = path.join(base, 'layer');
    mkdirSync(dest);
    const dirName = decodeName(Buffer.from('d\xfe', 'latin1'));
    const tar = makeTar([
      { name: `${dirName}/`, type: 'dir' },
      { name: `${dirName}/${decodeName(Buffer.from('.wh.gone\xfc', 'latin1'))}` },
      { name: `${dirName}/${decodeName(Buffer.from('fifo\xfb', 'latin1'))}`, type: 'fifo', mode: 0o640 },
    ]);
    await applyLayer(Readable.from([tar]), dest, { whiteouts: 'overlay' });
    const dir = path.join(dest, dirName);
    expect(readdirNames(dir).map((n) => nameBytes(n).toString('latin1')).sort()).toEqual(['fifo\xfb', 'gone\xfc']);
    const wh = lstatSync(fsPath(path.join(dir, decodeName(Buffer.from('gone\xfc', 'latin1')))));
    expect(wh.isCharacterDevice() && wh.rdev === 0).toBe(true);
    const fifo = lstatSync(fsPath(path.join(dir, decodeName(Buffer.from('fifo\xfb', 'latin1')))));
    expect(fifo.isFIFO() && (fifo.mode & 0o777) === 0o640).toBe(true);
    expect(readdirNames(dest)).toEqual([dirName]);
  });
});
