import { afterEach, describe, expect, it } from 'vitest';
import { hostnameOf, hostSettings, isInsecureHost } from '../../src/registry/hosts.js';

afterEach(() => {
  delete process.env.SLIPWAY_INSECURE_REGISTRIES;
});

describe('registry hosts', () => {
  it('loopback hosts are plain HTTP, as Docker does', () => {
    for (const h of ['localhost', 'localhost:5000', '127.0.0.1', '127.0.0.1:5100', '127.1.2.3:80', '[::1]:5000']) {
      expect(isInsecureHost(h)).toBe(true);
      expect(hostSettings(h).baseUrl.startsWith('http://')).toBe(true);
    }
  });

  it('other hosts use HTTPS unless listed in SLIPWAY_INSECURE_REGISTRIES', () => {
    expect(hostSettings('quay.io').baseUrl).toBe('https://quay.io');
    expect(hostSettings('10.0.0.5:5000').baseUrl).toBe('https://10.0.0.5:5000');
    process.env.SLIPWAY_INSECURE_REGISTRIES = 'reg.internal:5000, other.example';
    expect(hostSettings('reg.internal:5000').baseUrl).toBe('http://reg.internal:5000');
    expect(isInsecureHost('other.example:443')).toBe(true);
    expect(isInsecureHost('reg.internal:6000')).toBe(false);
  });

  it('Docker Hub talks to registry-1.docker.io', () => {
    expect(hostSettings('docker.io').baseUrl).toBe('https://registry-1.docker.io');
  });

  it('hostnameOf strips ports and IPv6 brackets', () => {
    expect(hostnameOf('a.b:5000')).toBe('a.b');
    expect(hostnameOf('[::1]:5000')).toBe('::1');
    expect(hostnameOf('a.b')).toBe('a.b');
  });
});
