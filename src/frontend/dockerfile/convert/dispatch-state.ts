// Per-stage conversion state (BuildKit's dispatchState) and the list of all stages.
// Resolution facts (base image, platform, commands, dependencies) are set once; the
// `DispatchRun` part is rebuilt for every dispatch pass (see index.ts for why there are two).
import type { State } from '../../../llb/state.js';
import type { Platform } from '../../../llb/types.js';
import type { Command, Stage } from '../instructions/types.js';
import type { Image } from '../image-config.js';
import type { BuildArgValue } from './history.js';
import type { SourceRange } from '../ast.js';

/** A command with the stages it reads from (COPY --from, RUN --mount from=). */
export interface StageCommand {
  cmd: Command;
  /** Per mount for RUN, one entry for COPY --from; undefined where the context is used. */
  sources: (DispatchState | undefined)[];
  /** True for triggers inherited from a base image's ONBUILD. */
  isOnBuild: boolean;
}

/** What one dispatch pass builds up for a stage. */
export interface DispatchRun {
  state: State;
  image: Image;
  cmdIndex: number;
  cmdIsOnBuild: boolean;
  buildArgs: BuildArgValue[];
  /** CMD was set in this stage (an ENTRYPOINT then keeps it). */
  cmdSet: boolean;
  /** Where CMD/ENTRYPOINT/HEALTHCHECK were last set in this stage (one of each is useful). */
  lastUse: Map<string, SourceRange>;
  /** An absolute WORKDIR was set in this build (a relative first one is linted). */
  workdirSet: boolean;
  dispatched: boolean;
}

export class DispatchState {
  /** The FROM argument after global-ARG expansion; after resolution `ref@digest` for images. */
  baseName: string;
  /** `AS` name, `stage-N`, or '' when the build has a single stage. */
  stageName: string;
  base: DispatchState | undefined;
  deps = new Map<DispatchState, Command>();
  commands: StageCommand[] = [];
  platform: Platform | undefined;
  /** The base filesystem from FROM (an image source or scratch), set on resolution. */
  resolvedState: State | undefined;
  /** The base image config with ONBUILD triggers removed (they run in this stage). */
  resolvedImage: Image | undefined;
  /** The base image config exactly as resolved. */
  baseImage: Image | null = null;
  resolved = false;
  onBuildInit = false;
  /** Steps shown as `[name i/total]`: FROM an image, RUN, COPY, ADD, WORKDIR. */
  cmdTotal = 0;
  /** 1 when FROM an image took step 1 (so the first instruction is step 2). */
  fromSteps = 0;
  ignoreCache = false;
  /** Context paths this stage reads (for the context source's follow paths). */
  ctxPaths = new Set<string>();
  run: DispatchRun | undefined;

  constructor(
    /** The parsed stage; undefined for image references used as `--from` (unregistered). */
    readonly stage: Stage | undefined,
    baseName: string,
    readonly location: SourceRange,
  ) {
    this.baseName = baseName;
    this.stageName = stage?.name ?? '';
  }

  get unregistered(): boolean {
    return this.stage === undefined;
  }

  /** The dispatch-pass data; throws if the stage has not been dispatched in this pass. */
  get r(): DispatchRun {
    if (!this.run) throw new Error(`internal: stage ${this.stageName || this.baseName} used before dispatch`);
    return this.run;
  }
}

/** All stages in order, by lowercase name and by index (BuildKit's dispatchStates). */
export class DispatchStates {
  readonly states: DispatchState[] = [];
  private readonly byName = new Map<string, DispatchState>();

  add(ds: DispatchState): void {
    this.states.push(ds);
    // BuildKit looks the FROM argument up as written: `FROM Base` is not stage `base`.
    const base = this.byName.get(ds.baseName);
    if (base && !ds.unregistered) ds.base = base;
    if (ds.stage && ds.stage.name !== '') this.byName.set(ds.stage.name.toLowerCase(), ds);
  }

  findByName(name: string): DispatchState | undefined {
    return this.byName.get(name.toLowerCase());
  }

  findByIndex(index: number): DispatchState {
    const ds = this.states[index];
    if (index < 0 || !ds) throw new Error(`invalid stage index ${index}`);
    return ds;
  }

  /** Stage names for messages (`stage-N` for unnamed ones). */
  names(): string[] {
    return this.states.filter((s) => s.stageName !== '').map((s) => s.stageName);
  }
}
