// What the converter takes and what it hands to the solver, the exporters and the CLI.
import type { Definition, HostIP, NetMode, Platform, Ulimit } from '../../../llb/types.js';
import type { State } from '../../../llb/state.js';
import type { Image } from '../image-config.js';

/** A base image's identity and config, as the registry/store layer resolves it. */
export interface ResolvedImageConfig {
  /** The normalized reference that was resolved (`docker.io/library/busybox:latest`). */
  ref: string;
  /** Manifest digest (`sha256:…`); pinned into the LLB source as `ref@digest`. */
  digest: string;
  /** The image config document (env, cmd, history, rootfs…). */
  config: Image;
}

/** Looks up a base image's config before anything runs (local store first, then registry). */
export type ImageConfigResolver = (ref: string, opts: { platform: Platform; resolveMode: ImageResolveMode }) => Promise<ResolvedImageConfig>;

/** `pull` (--pull) re-resolves bases from the registry; `local` never asks it. */
export type ImageResolveMode = 'default' | 'pull' | 'local';

export interface ConvertOptions {
  /** Resolves `FROM` images and `COPY --from=<image>` sources. */
  resolveImageConfig: ImageConfigResolver;
  /** Dockerfile name for errors and the source map (default `Dockerfile`). */
  file?: string;
  /** Stage to build (default: the last one). Case-insensitive, as BuildKit. */
  target?: string;
  /** `--build-arg K=V` values, in the order given. */
  buildArgs?: ReadonlyMap<string, string> | Readonly<Record<string, string>>;
  /** `--platform`: only linux/amd64 is accepted. */
  platform?: string;
  /** `.dockerignore` patterns, applied to the build context source as excludes. */
  dockerignore?: readonly string[];
  /** `--label K=V` for the result image. */
  labels?: Readonly<Record<string, string>>;
  /** `--network` for every RUN (BuildKit's force-network-mode); default sandbox. */
  network?: NetMode;
  /** `--no-cache` (true: every stage) or `--no-cache-filter` stage names. */
  noCache?: boolean | readonly string[];
  /** How base images are resolved; `pull` is also recorded in the image sources (BuildKit). */
  imageResolveMode?: ImageResolveMode;
  /** Dispatch every stage, not only those the target needs (BuildKit's AllStages: a lint without a target). */
  allStages?: boolean;
  /** `--add-host`: /etc/hosts entries of every RUN (BuildKit's add-hosts). */
  extraHosts?: readonly HostIP[];
  /** `--ulimit`: resource limits of every RUN. */
  ulimits?: readonly Ulimit[];
  /** `--shm-size` in bytes: the size of every RUN's /dev/shm (0: the default 64 MiB). */
  shmSize?: number;
}

export interface ConvertWarning {
  /** BuildKit check name (`JSONArgsRecommended`), absent for other warnings. */
  rule?: string;
  /** Documentation of the check. */
  url?: string;
  message: string;
  /** `file:line` the warning is about, when it concerns a line; `endLine`: the instruction's last line. */
  location?: { file: string; line: number; endLine?: number };
}

/** An op made from a Dockerfile instruction (RUN, COPY, ADD, WORKDIR), for cache explanations. */
export interface StepInfo {
  /** Digest of the op the instruction produced. */
  digest: string;
  /** Stage name (`stage-N` for unnamed ones). */
  stage: string;
  /** 1-based line of the instruction (the FROM line for ONBUILD triggers). */
  line: number;
  /** The instruction as written. */
  instruction: string;
  /** Build args in scope (name → value) when it ran. */
  buildArgs: Record<string, string>;
}

/** One stage of the Dockerfile and whether the target needs it. */
export interface StageInfo {
  /** `AS` name, or `stage-N` for unnamed stages. */
  name: string;
  index: number;
  /** The FROM argument after ARG expansion (a stage name, an image, or `scratch`). */
  base: string;
  reachable: boolean;
}

export interface ConvertResult {
  /** The marshalled LLB graph whose root is the target stage's filesystem. */
  definition: Definition;
  /** The target stage's final state (for callers that want to add more ops). */
  state: State;
  /** The image config for the target: config, history (without timestamps), platform. */
  image: Image;
  /** The base image of the target's FROM chain, untouched (null for scratch). */
  baseImage: Image | null;
  /** Name of the stage that was built. */
  target: string;
  stages: StageInfo[];
  warnings: ConvertWarning[];
  /** The ops made from instructions, in dispatch order. */
  steps: StepInfo[];
}
