// Typed Dockerfile instructions: what BuildKit's instructions package produces from the AST.
// Nothing here is variable-expanded: every string is as the parser gave it, and
// `expandInstruction` (expand.ts) applies a word expander to exactly the fields BuildKit expands.

import type { InstructionNode, SourceRange } from '../ast.js';

/** Fields every instruction carries. */
export interface InstructionBase {
  /** The keyword, lowercased (`run`, `copy`). */
  name: string;
  /** The logical line as written, trimmed (BuildKit's `String()`; used in history). */
  original: string;
  range: SourceRange;
  /** The AST node this came from (ONBUILD triggers and diagnostics need it). */
  node: InstructionNode;
}

/** `KEY=value` from ENV/LABEL; `noDelim` for the legacy `ENV KEY value` form. */
export interface KeyValuePair {
  key: string;
  value: string;
  noDelim: boolean;
}

/** One ARG name with an optional default (`undefined` when there is no `=`). */
export interface ArgDeclaration {
  key: string;
  value: string | undefined;
  /** Text of a `# NAME text` comment directly above (BuildKit's doc comment). */
  comment: string;
}

/** A heredoc body used as a RUN script or fed to a RUN command. */
export interface ShellInlineFile {
  name: string;
  data: string;
  /** `<<-`: leading tabs should be stripped (the frontend or the shell does it). */
  chomp: boolean;
}

/** A command line that may be wrapped by the current SHELL. */
export interface ShellDependantCmdLine {
  /** Exec form: one entry per JSON element. Shell form: one entry with the whole line. */
  cmdLine: string[];
  /** True for shell form (not JSON): the converter prepends the SHELL. */
  prependShell: boolean;
  files: ShellInlineFile[];
}

/** A file created from a heredoc in COPY/ADD. */
export interface SourceContent {
  /** The heredoc name, used as the file name. */
  path: string;
  /** The body, with leading tabs already removed for `<<-`. */
  data: string;
  /** False when the delimiter was quoted: the converter must not expand the body. */
  expand: boolean;
}

export interface SourcesAndDest {
  destPath: string;
  sourcePaths: string[];
  sourceContents: SourceContent[];
}

export type MountType = 'bind' | 'cache' | 'tmpfs' | 'secret' | 'ssh';
export type ShareMode = 'shared' | 'private' | 'locked';
export type NetworkMode = 'default' | 'none' | 'host';
export type SecurityMode = 'sandbox' | 'insecure';

/**
 * A `RUN --mount` after validation, with BuildKit's per-type defaults applied:
 * cache `id` defaults to the target and `sharing` to `shared`; a secret's `id` is
 * `id`, else `source`, else the target's base name, and its target defaults to
 * `/run/secrets/<id>` unless it is exposed through `env` only; an ssh `id` defaults to `default`.
 */
export interface Mount {
  type: MountType;
  /** Stage name/index or image for bind/cache `from=` (never variable-expanded at parse time). */
  from: string;
  source: string;
  /** As given; secrets get the default above. Empty for ssh means the runtime's socket path. */
  target: string;
  readOnly: boolean;
  /** tmpfs `size=` in bytes; 0 means no limit. */
  sizeLimit: number;
  /** cache / secret / ssh id with defaults applied; `id=` as given for other types. */
  id: string;
  /** Only for cache mounts. */
  sharing?: ShareMode;
  /** secret/ssh: fail when the client does not provide it. */
  required: boolean;
  /** secret: also expose it as this environment variable (`env=` as given). */
  env?: string;
  mode?: number;
  uid?: number;
  gid?: number;
}

export interface HealthConfig {
  /** `["NONE"]`, `["CMD", ...args]` or `["CMD-SHELL", line]`. */
  test: string[];
  /** Durations in nanoseconds; 0 means "use the default". */
  interval: number;
  timeout: number;
  startPeriod: number;
  startInterval: number;
  retries: number;
}

export interface FromCommand extends InstructionBase {
  kind: 'from';
  baseName: string;
  /** Lowercased `AS` name, or '' for an unnamed stage. */
  stageName: string;
  /** `--platform` value as written ('' when absent). */
  platform: string;
  comment: string;
}

export interface RunCommand extends InstructionBase, ShellDependantCmdLine {
  kind: 'run';
  /** Raw `--mount` values in order (expandable). */
  mountSpecs: string[];
  /**
   * Each mount's `from=` ('' when absent), known before expansion (BuildKit's parse-time
   * GetMounts): what the converter uses to find the stages this RUN depends on.
   */
  mountFroms: string[];
  /**
   * Typed mounts when no `--mount` value needs expansion (no `$`, quotes or escapes) and
   * all are valid; otherwise undefined: `expandInstruction` parses them with the expander
   * and reports invalid ones then, as BuildKit does at conversion time.
   */
  mounts: Mount[] | undefined;
  network: NetworkMode;
  security: SecurityMode;
  /** Names of the flags that were given (BuildKit's FlagsUsed, for lint rules). */
  flagsUsed: string[];
}

export interface CmdCommand extends InstructionBase, ShellDependantCmdLine {
  kind: 'cmd';
}

export interface EntrypointCommand extends InstructionBase, Omit<ShellDependantCmdLine, 'cmdLine'> {
  kind: 'entrypoint';
  /** null for an empty ENTRYPOINT (BuildKit's nil slice: it resets the entrypoint). */
  cmdLine: string[] | null;
}

export interface ShellCommand extends InstructionBase {
  kind: 'shell';
  shell: string[];
}

export interface CopyCommand extends InstructionBase, SourcesAndDest {
  kind: 'copy';
  /** `--from` as written: a stage name, index or image; BuildKit never expands it. */
  from: string;
  chown: string;
  chmod: string;
  link: boolean;
  parents: boolean;
  excludePatterns: string[];
}

export interface AddCommand extends InstructionBase, SourcesAndDest {
  kind: 'add';
  chown: string;
  chmod: string;
  link: boolean;
  keepGitDir: boolean;
  checksum: string;
  excludePatterns: string[];
  /** `--unpack` when given, else undefined (BuildKit's *bool: auto-detect archives). */
  unpack: boolean | undefined;
}

export interface EnvCommand extends InstructionBase {
  kind: 'env';
  env: KeyValuePair[];
}

export interface LabelCommand extends InstructionBase {
  kind: 'label';
  labels: KeyValuePair[];
}

export interface ArgCommand extends InstructionBase {
  kind: 'arg';
  args: ArgDeclaration[];
}

export interface WorkdirCommand extends InstructionBase {
  kind: 'workdir';
  path: string;
}

export interface UserCommand extends InstructionBase {
  kind: 'user';
  user: string;
}

export interface ExposeCommand extends InstructionBase {
  kind: 'expose';
  /** Port words as written, sorted like BuildKit; expand (multi-word) then `parsePortSpec`. */
  ports: string[];
}

export interface VolumeCommand extends InstructionBase {
  kind: 'volume';
  volumes: string[];
}

export interface StopSignalCommand extends InstructionBase {
  kind: 'stopsignal';
  signal: string;
}

export interface HealthcheckCommand extends InstructionBase {
  kind: 'healthcheck';
  health: HealthConfig;
}

export interface OnbuildCommand extends InstructionBase {
  kind: 'onbuild';
  /** The trigger keyword, uppercased (`RUN`). */
  trigger: string;
  /** The trigger as stored in the image config (`RUN echo hi`, heredoc bodies appended). */
  expression: string;
}

export interface MaintainerCommand extends InstructionBase {
  kind: 'maintainer';
  maintainer: string;
}

/** Every typed instruction. */
export type Instruction =
  | FromCommand
  | RunCommand
  | CmdCommand
  | EntrypointCommand
  | ShellCommand
  | CopyCommand
  | AddCommand
  | EnvCommand
  | LabelCommand
  | ArgCommand
  | WorkdirCommand
  | UserCommand
  | ExposeCommand
  | VolumeCommand
  | StopSignalCommand
  | HealthcheckCommand
  | OnbuildCommand
  | MaintainerCommand;

/** Every instruction that can appear inside a stage (everything but FROM). */
export type Command = Exclude<Instruction, FromCommand>;

/** A build stage: its FROM line and the commands up to the next FROM. */
export interface Stage {
  /** Lowercased `AS` name, '' when unnamed. */
  name: string;
  /** Position among the stages, from 0 (usable in `COPY --from=<index>`). */
  index: number;
  baseName: string;
  platform: string;
  comment: string;
  from: FromCommand;
  commands: Command[];
}
