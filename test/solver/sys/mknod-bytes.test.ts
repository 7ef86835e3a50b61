// Device nodes, fifos and whiteouts whose names are not valid UTF-8 (layer/byte-names.ts): the
// syscall helper takes the exact bytes; mknod(1), where the helper is off, cannot take them as
// an argument, so the node is made under a plain name and renamed into place.
import { lstatSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { decodeName, nameBytes } from '../../../src/solver/layer/byte-names.js';
import { makeNode, makeWhiteout } from '../../../src/solver/sys/mknod.js';

const work = mkdtempSync(path.join(tmpdir(), 'slipway-mknod-bytes-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const saved = process.env.SLIPWAY_SYSHELPER;
afterEach(() => {
  if (saved === undefined) delete process.env.SLIPWAY_SYSHELPER;
  else process.env.SLIPWAY_SYSHELPER = saved;
});

describe.each([['the syscall helper', undefined], ['mknod(1)', '0']])('makeNode with a name that is not UTF-8, through %s', (_, env) => {
  it('makes the node at its exact name and nothing else', async () => {
    if (env === undefined) delete process.env.SLIPWAY_SYSHELPER;
    else process.env.SLIPWAY_SYSHELPER = env;
    const dir = mkdtempSync(path.join(work, 'd-'));
    const name = path.join(dir, decodeName(Buffer.from([0x61, 0xff])));
    await makeNode(name, 'p', 0o640);
    await makeWhiteout(`${name}w`);
    const fifo = lstatSync(nameBytes(name));
    expect([fifo.isFIFO(), fifo.mode & 0o777]).toEqual([true, 0o640]);
    const wh = lstatSync(nameBytes(`${name}w`));
    expect([wh.isCharacterDevice(), wh.rdev]).toEqual([true, 0]);
    expect(readdirSync(dir, { encoding: 'buffer' }).map((b) => b.toString('hex')).sort()).toEqual(['61ff', '61ff77']);
  });
});
