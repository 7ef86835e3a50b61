// Image config and history details found by the differential probes (testdata/diff/cfg-*),
// each checked against what current BuildKit's dockerfile2llb writes.
import { describe, expect, it } from 'vitest';
import { convert } from './fake-resolver.js';

const historyOf = async (text: string) => ((await convert(text)).image.history ?? []).map((h) => h.created_by);

describe('EXPOSE history', () => {
  it('lists every port in order, duplicates included (convert_expose.go parsePortSpecs); the config map dedupes', async () => {
    const res = await convert('FROM scratch\nENV P=80\nEXPOSE 80 $P/tcp 53/udp 80\n');
    // instructions.parseExpose sorts the words as written: "$P/tcp" < "53/udp" < "80" = "80".
    expect(res.image.history!.at(-1)!.created_by).toBe('EXPOSE [80/tcp 53/udp 80/tcp 80/tcp]');
    expect(res.image.config.ExposedPorts).toEqual({ '80/tcp': {}, '53/udp': {} });
  });
});

describe('STOPSIGNAL validation (moby/sys/signal.ParseSignal, Linux map)', () => {
  it('accepts what Atoi accepts and the names of the Linux map only', async () => {
    const { validateSignal } = await import('../../../src/frontend/dockerfile/convert/signal.js');
    for (const s of ['+9', '-9', '007', 'sigrtmin+15', 'RTMAX-14', 'SIGCLD', 'iot']) expect(() => validateSignal(s), s).not.toThrow();
    for (const s of ['RTMIN+16', 'RTMAX-15', 'RTMIN+0', 'RTMIN+01', 'SIGUNUSED', 'SIGSIGTERM', '-0', '99999999999999999999', ' 9'])
      expect(() => validateSignal(s), s).toThrow(`invalid signal: ${s}`);
  });

  it('stores the value as written (after expansion)', async () => {
    const res = await convert('FROM scratch\nARG S=sigrtmin+3\nSTOPSIGNAL $S\n');
    expect(res.image.config.StopSignal).toBe('sigrtmin+3');
    expect(res.image.history!.at(-1)!.created_by).toBe('STOPSIGNAL sigrtmin+3');
  });
});
