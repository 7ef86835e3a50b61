// The overlay probe's answer is remembered on disk per environment (kernel, uid, mount
// namespace), so later processes skip the throwaway mount; a record for another
// environment is ignored and replaced.
import { mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { overlaySupported } from '../../../src/solver/snapshot/overlay-support.js';
import { Snapshotter } from '../../../src/solver/snapshot/snapshotter.js';

const work = mkdtempSync(path.join(tmpdir(), 'slipway-probe-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const thisKey = `${release()} uid=${process.getuid!()} ${readlinkSync('/proc/self/ns/mnt')}`;

describe('overlay probe record', () => {
  it('a snapshotter writes <root>/cache/overlay-probe.json with the probed answer', async () => {
    const root = path.join(work, 'root');
    expect((await Snapshotter.open(root)).kind).toBe('overlay');
    expect(JSON.parse(readFileSync(path.join(root, 'cache', 'overlay-probe.json'), 'utf8'))).toEqual({ key: thisKey, overlay: true });
  });

  it('a record for this environment is believed without probing', async () => {
    const dir = path.join(work, 'believed');
    mkdirSync(dir);
    const record = path.join(work, 'believed.json');
    // overlay works here (previous test), so only a read record can answer false.
    writeFileSync(record, JSON.stringify({ key: thisKey, overlay: false }));
    expect(await overlaySupported(dir, record)).toBe(false);
  });

  it('a record for another environment is re-probed and replaced', async () => {
    const dir = path.join(work, 'other');
    mkdirSync(dir);
    const record = path.join(work, 'other.json');
    writeFileSync(record, JSON.stringify({ key: 'another kernel', overlay: false }));
    expect(await overlaySupported(dir, record)).toBe(true);
    expect(JSON.parse(readFileSync(record, 'utf8'))).toEqual({ key: thisKey, overlay: true });
  });
});
