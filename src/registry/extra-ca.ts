// The CAs of NODE_EXTRA_CA_CERTS, added to Slipway's TLS connections. bin/slipway keeps Node
// from loading that file at start-up (it costs more than a cached build's own work), so the
// TLS clients here add it, read once and only when a TLS connection is made. Like Node, a
// file that cannot be read gives a warning and no extra CAs, not an error.
import { readFileSync } from 'node:fs';

let loaded: string[] | undefined;

export function extraCaCerts(): string[] {
  if (loaded) return loaded;
  const file = process.env.NODE_EXTRA_CA_CERTS;
  loaded = [];
  if (!file) return loaded;
  try {
    loaded = pemCertificates(readFileSync(file, 'utf8'));
  } catch (err) {
    process.emitWarning(`Ignoring extra certs from \`${file}\`, load failed: ${(err as Error).message}`);
  }
  return loaded;
}

/** The PEM certificate blocks of a bundle, in order. */
export function pemCertificates(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
}
