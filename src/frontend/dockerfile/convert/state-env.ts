// A State's environment as the shell lexer's EnvGetter (BuildKit's getEnv(d.state)).
import type { State } from '../../../llb/state.js';
import type { EnvGetter } from '../shell/index.js';

export function stateEnv(state: State): EnvGetter {
  return {
    get: (k) => state.getEnv(k),
    keys: () => state.meta.env.map(([k]) => k),
  };
}
