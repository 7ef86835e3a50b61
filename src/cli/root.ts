import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * Where the store and cache live: --root, else $SLIPWAY_ROOT, else $XDG_DATA_HOME/slipway,
 * else ~/.local/share/slipway.
 */
export function resolveRoot(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (flag) return resolve(flag);
  if (env.SLIPWAY_ROOT) return resolve(env.SLIPWAY_ROOT);
  if (env.XDG_DATA_HOME) return join(resolve(env.XDG_DATA_HOME), 'slipway');
  return join(homedir(), '.local', 'share', 'slipway');
}
