import { describe, expect, it } from 'vitest';
import type { Platform } from '../../src/content/descriptor.js';
import { MediaType } from '../../src/content/media-types.js';
import { choosePlatform, parseManifest } from '../../src/registry/manifest.js';

const D = (n: string) => `sha256:${n.repeat(64)}`;
const desc = (mediaType: string, n: string, platform?: Platform) => ({ mediaType, digest: D(n), size: 10, ...(platform ? { platform } : {}) });

describe('parseManifest', () => {
  it('recognises OCI and Docker manifests and indexes', () => {
    const m = { schemaVersion: 2, mediaType: MediaType.DOCKER_MANIFEST, config: desc(MediaType.DOCKER_CONFIG, 'a'), layers: [desc(MediaType.DOCKER_LAYER_GZIP, 'b')] };
    expect(parseManifest(Buffer.from(JSON.stringify(m)), '', 'x').kind).toBe('manifest');
    const noType = { schemaVersion: 2, config: desc(MediaType.OCI_CONFIG, 'a'), layers: [desc(MediaType.OCI_LAYER_ZSTD, 'b')] };
    expect(parseManifest(Buffer.from(JSON.stringify(noType)), MediaType.OCI_MANIFEST, 'x').mediaType).toBe(MediaType.OCI_MANIFEST);
    expect(parseManifest(Buffer.from(JSON.stringify(noType)), 'application/octet-stream', 'x').mediaType).toBe(MediaType.OCI_MANIFEST);
    const idx = { schemaVersion: 2, mediaType: MediaType.DOCKER_MANIFEST_LIST, manifests: [desc(MediaType.DOCKER_MANIFEST, 'c')] };
    expect(parseManifest(Buffer.from(JSON.stringify(idx)), '', 'x').kind).toBe('index');
  });

  it('rejects malformed manifests with the reason', () => {
    const bad: Array<[unknown, RegExp]> = [
      ['{', /not valid JSON/],
      [[1], /not a JSON object/],
      [{ schemaVersion: 3 }, /unsupported schemaVersion 3/],
      [{ schemaVersion: 2, mediaType: 'text/plain' }, /unsupported media type "text\/plain"/],
      [{ schemaVersion: 2, mediaType: MediaType.OCI_MANIFEST, config: { mediaType: 'x', digest: 'sha256:zz', size: 1 }, layers: [] }, /config: invalid sha256 digest/],
      [{ schemaVersion: 2, mediaType: MediaType.OCI_MANIFEST, config: desc('x', 'a'), layers: [{ ...desc('x', 'b'), size: -1 }] }, /layers\[0\] has an invalid size/],
      [{ schemaVersion: 2, mediaType: MediaType.OCI_INDEX }, /index has no "manifests" list/],
    ];
    for (const [json, re] of bad) {
      const text = typeof json === 'string' ? json : JSON.stringify(json);
      expect(() => parseManifest(Buffer.from(text), '', 'ref:1')).toThrow(re);
      expect(() => parseManifest(Buffer.from(text), '', 'ref:1')).toThrow(/^ref:1: invalid manifest: /);
    }
  });
});

describe('choosePlatform', () => {
  const index = {
    schemaVersion: 2 as const,
    manifests: [
      desc(MediaType.OCI_MANIFEST, 'a', { os: 'linux', architecture: 'arm64', variant: 'v8' }),
      desc(MediaType.OCI_MANIFEST, 'b', { os: 'linux', architecture: 'amd64' }),
      desc(MediaType.OCI_MANIFEST, 'c', { os: 'unknown', architecture: 'unknown' }),
    ],
  };
  it('picks linux/amd64 by default', () => {
    expect(choosePlatform(index, 'x').digest).toBe(D('b'));
    expect(choosePlatform(index, 'x', { os: 'linux', architecture: 'arm64' }).digest).toBe(D('a'));
  });
  it('lists the platforms offered when none matches (attestations left out)', () => {
    expect(() => choosePlatform(index, 'img:1', { os: 'windows', architecture: 'amd64' })).toThrow(
      'img:1: invalid manifest: no manifest for platform windows/amd64 in the image index; platforms offered: linux/arm64/v8, linux/amd64',
    );
  });
});
