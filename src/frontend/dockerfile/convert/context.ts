// What every dispatcher shares during one conversion.
import type { State } from '../../../llb/state.js';
import type { HostIP, Platform, ProxyEnv, Ulimit } from '../../../llb/types.js';
import type { SourceMap } from '../../../llb/vertex.js';
import type { EscapeToken, ShellLex } from '../shell/index.js';
import type { DispatchStates } from './dispatch-state.js';
import type { Linter } from './lint.js';
import type { SourceFile } from './located-error.js';
import type { ConvertWarning, StepInfo } from './options.js';

export interface ConvertContext {
  src: SourceFile;
  escapeToken: EscapeToken;
  shlex: ShellLex;
  sourceMap: SourceMap;
  /** Global ARGs (platform args, then the ARGs before the first FROM). */
  globalArgs: Map<string, string>;
  buildArgs: ReadonlyMap<string, string>;
  proxyEnv: Partial<ProxyEnv> | undefined;
  targetPlatform: Platform;
  states: DispatchStates;
  /** The build context source for this pass (see index.ts). */
  buildContext: State;
  /** SOURCE_DATE_EPOCH as RFC 3339, when given as a build arg. */
  epoch: string | undefined;
  /** ARG names some reachable stage declared (for the unused build-arg warning). */
  consumedArgs: Set<string>;
  warnings: ConvertWarning[];
  lint: Linter;
  /** Ops made from instructions, for the solver's cache explanations. */
  steps: StepInfo[];
  /** BUILDKIT_CACHE_MOUNT_NS: prefix of cache mount ids. */
  cacheIDNamespace: string;
  /** BUILDKIT_SANDBOX_HOSTNAME: hostname RUN steps see. */
  hostname: string;
  imageResolveMode: 'default' | 'pull' | 'local';
  /** --add-host, --ulimit, --shm-size: applied to every RUN (dispatch-run.ts). */
  runOptions: { extraHosts: readonly HostIP[]; ulimits: readonly Ulimit[]; shmSize: number };
}
