// The only platform Slipway builds for; ops default to it as BuildKit defaults to the host's.

import type { Platform } from './types.js';

export const DEFAULT_PLATFORM: Readonly<Platform> = Object.freeze({ os: 'linux', architecture: 'amd64' });

export function formatPlatform(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}
