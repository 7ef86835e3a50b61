// BuildKit's Dockerfile checks (frontend/dockerfile/linter): named rules reported as build
// warnings, configurable with `# check=skip=<rules>|all;error=true` or the
// BUILDKIT_DOCKERFILE_CHECK build arg. Messages are BuildKit's, word for word.
import type { SourceRange } from '../ast.js';
import { suggest } from '../instructions/index.js';
import type { ConvertWarning } from './options.js';

export type RuleName =
  | 'StageNameCasing' | 'FromAsCasing' | 'NoEmptyContinuation' | 'ConsistentInstructionCasing'
  | 'DuplicateStageName' | 'ReservedStageName' | 'JSONArgsRecommended' | 'MaintainerDeprecated'
  | 'UndefinedArgInFrom' | 'WorkdirRelativePath' | 'UndefinedVar' | 'MultipleInstructionsDisallowed'
  | 'LegacyKeyValueFormat' | 'SecretsUsedInArgOrEnv' | 'InvalidBaseImagePlatform' | 'RedundantTargetPlatform'
  | 'InvalidDefaultArgInFrom' | 'FromPlatformFlagConstDisallowed' | 'ExposeProtoCasing' | 'ExposeInvalidFormat';

export interface LintConfig {
  skipAll: boolean;
  skip: Set<string>;
  error: boolean;
}

/** `skip=A,B;error=true` (BuildKit's ParseLintOptions). */
export function parseLintConfig(spec: string | undefined): LintConfig {
  const cfg: LintConfig = { skipAll: false, skip: new Set(), error: false };
  if (!spec) return cfg;
  for (const part of spec.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) throw new Error(`invalid check option ${JSON.stringify(part)}`);
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 'skip') {
      for (const r of value.split(',').map((s) => s.trim()).filter(Boolean)) {
        if (r === 'all') cfg.skipAll = true;
        else cfg.skip.add(r);
      }
    } else if (key === 'error') {
      if (!/^(true|false|1|0)$/i.test(value)) throw new Error(`failed to parse check options: invalid error value ${JSON.stringify(value)}`);
      cfg.error = /^(true|1)$/i.test(value);
    } else if (key !== 'experimental') {
      throw new Error(`invalid check option ${JSON.stringify(key)}`);
    }
  }
  return cfg;
}

export class Linter {
  /** Warnings from checks on the whole file (kept across dispatch passes). */
  private readonly fileWarnings: ConvertWarning[] = [];
  private stageWarnings: ConvertWarning[] = [];
  private collecting: 'file' | 'stage' = 'file';

  constructor(
    private readonly config: LintConfig,
    private readonly file: string,
  ) {}

  run(rule: RuleName, message: string, range: SourceRange | undefined): void {
    if (this.config.skipAll || this.config.skip.has(rule)) return;
    const w: ConvertWarning = { rule, message, url: ruleURL(rule) };
    if (range) {
      w.location = { file: this.file, line: range.start.line };
      if (range.end.line > range.start.line) w.location.endLine = range.end.line;
    }
    (this.collecting === 'file' ? this.fileWarnings : this.stageWarnings).push(w);
  }

  /** Starts a dispatch pass: stage checks of an earlier pass are dropped. */
  startDispatch(): void {
    this.collecting = 'stage';
    this.stageWarnings = [];
  }

  warnings(): ConvertWarning[] {
    return [...this.fileWarnings, ...this.stageWarnings];
  }

  /** With `error=true`, any warning fails the build (BuildKit's Linter.Error). */
  error(): LintViolationError | undefined {
    if (!this.config.error) return undefined;
    const warnings = this.warnings();
    const rules = [...new Set(warnings.map((w) => w.rule!))];
    return rules.length > 0 ? new LintViolationError(`lint violation found for rules: ${rules.join(', ')}`, warnings) : undefined;
  }
}

/** The build failed its checks (`check=error=true`): the warnings come along for `build --check`'s listing. */
export class LintViolationError extends Error {
  /** The Dockerfile's text by file name, for the warnings' source lines. */
  sources = new Map<string, string>();
  constructor(message: string, readonly warnings: ConvertWarning[]) {
    super(message);
    this.name = 'LintViolationError';
  }
}

function ruleURL(rule: RuleName): string {
  return `https://docs.docker.com/go/dockerfile/rule/${rule.replace(/([a-z])([A-Z])/g, '$1-$2').replace(/([A-Z])([A-Z][a-z])/g, '$1-$2').toLowerCase()}/`;
}

const SECRET = /(?:_|^)(?:apikey|auth|credential|credentials|key|password|pword|passwd|secret|token)(?:_|$)/i;
const NOT_SECRET = /(?:_|^)(?:public)(?:_|$)/i;

/** ARG/ENV names that look like they hold secrets (BuildKit's validateNoSecretKey). */
export function checkSecretKey(lint: Linter, instruction: 'ARG' | 'ENV', key: string, range: SourceRange): void {
  if (SECRET.test(key) && !NOT_SECRET.test(key)) {
    lint.run('SecretsUsedInArgOrEnv', `Do not use ARG or ENV instructions for sensitive data (${instruction} ${JSON.stringify(key)})`, range);
  }
}

/** `Usage of undefined variable '$X'` for variables neither set nor declared as ARG. */
export function checkUndefinedVars(
  lint: Linter,
  unmatched: Iterable<string>,
  declaredArgs: Iterable<string>,
  envKeys: readonly string[],
  range: SourceRange,
): void {
  const declared = new Set(declaredArgs);
  for (const v of unmatched) {
    // BuildKit skips its nonEnvArgs (the SBOM scan switches) here too.
    if (declared.has(v) || v === 'BUILDKIT_SBOM_SCAN_CONTEXT' || v === 'BUILDKIT_SBOM_SCAN_STAGE') continue;
    const s = suggest(v, envKeys, true);
    lint.run('UndefinedVar', `Usage of undefined variable '$${v}'${s ? ` (did you mean $${s}?)` : ''}`, range);
  }
}
