// AST node → typed instruction, after BuildKit's instructions.ParseInstruction. Checks
// happen in BuildKit's order (argument counts before flags where BuildKit does so), and
// instructions whose flags BuildKit never parses (ARG, STOPSIGNAL, HEALTHCHECK NONE)
// ignore them here too.

import type { InstructionNode } from '../ast.js';
import type { DockerfileError } from '../errors.js';
import { parseAdd, parseCopy } from './parse-copy.js';
import { parseHealthcheck } from './parse-healthcheck.js';
import { parseRun } from './parse-run.js';
import type { ParseRequest } from './request.js';
import {
  commentFor,
  errAtLeastOneArgument,
  errBlankCommandNames,
  errExactlyOneArgument,
  errNotJSON,
  errTooManyArguments,
  handleJSONArgs,
  newParseRequest,
  shellDependantCmdLine,
} from './request.js';
import { InstructionSyntaxError, goQuote, toDockerfileError } from './syntax-error.js';
import { withSuggestion } from './suggest.js';
import type {
  ArgCommand,
  ArgDeclaration,
  CmdCommand,
  EntrypointCommand,
  EnvCommand,
  ExposeCommand,
  FromCommand,
  Instruction,
  KeyValuePair,
  LabelCommand,
  MaintainerCommand,
  OnbuildCommand,
  ShellCommand,
  StopSignalCommand,
  UserCommand,
  VolumeCommand,
  WorkdirCommand,
} from './types.js';

function fail(message: string): never {
  throw new InstructionSyntaxError(message);
}

/** ENV / LABEL: `key value sep` triples from the parser. */
function parseKvps(args: readonly string[], cmd: string): KeyValuePair[] {
  if (args.length === 0) fail(errAtLeastOneArgument(cmd));
  if (args.length % 3 !== 0) fail(errTooManyArguments(cmd));
  const pairs: KeyValuePair[] = [];
  for (let i = 0; i < args.length; i += 3) {
    const key = args[i]!;
    if (key === '') fail(errBlankCommandNames(cmd));
    pairs.push({ key, value: args[i + 1]!, noDelim: args[i + 2] === '' });
  }
  return pairs;
}

function parseEnv(req: ParseRequest): EnvCommand {
  req.flags.parse();
  return { ...req.base, kind: 'env', env: parseKvps(req.args, 'ENV') };
}

function parseLabel(req: ParseRequest): LabelCommand {
  req.flags.parse();
  return { ...req.base, kind: 'label', labels: parseKvps(req.args, 'LABEL') };
}

function parseMaintainer(req: ParseRequest): MaintainerCommand {
  if (req.args.length !== 1) fail(errExactlyOneArgument('MAINTAINER'));
  req.flags.parse();
  return { ...req.base, kind: 'maintainer', maintainer: req.args[0]! };
}

const VALID_STAGE_NAME = /^[a-z][a-z0-9-_.]*$/;

function parseFrom(req: ParseRequest): FromCommand {
  const { args } = req;
  let stageName = '';
  if (args.length === 3 && args[1]!.toLowerCase() === 'as') {
    stageName = args[2]!.toLowerCase();
    if (!VALID_STAGE_NAME.test(stageName)) {
      fail(`invalid name for build stage: ${goQuote(args[2]!)}, name can't start with a number or contain symbols`);
    }
  } else if (args.length !== 1) {
    fail('FROM requires either one or three arguments');
  }
  const flPlatform = req.flags.addString('platform');
  req.flags.parse();
  return {
    ...req.base,
    kind: 'from',
    baseName: args[0]!,
    stageName,
    platform: flPlatform.value,
    comment: commentFor(req.node.comments, stageName),
  };
}

function parseOnbuild(req: ParseRequest): OnbuildCommand {
  const inner = req.node.inner;
  if (!inner) fail(errAtLeastOneArgument('ONBUILD'));
  req.flags.parse();
  const trigger = inner.keyword.toUpperCase();
  if (trigger === 'ONBUILD') fail('Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed');
  if (trigger === 'MAINTAINER' || trigger === 'FROM') fail(`${trigger} isn't allowed as an ONBUILD trigger`);

  let expression = req.node.original.replace(/^\s*ONBUILD\s*/i, '');
  // Heredoc bodies travel with the trigger so that the child build can re-parse it.
  const heredocs = req.node.heredocs.length ? req.node.heredocs : inner.heredocs;
  for (const h of heredocs) expression += `\n${h.content}${h.name}`;
  return { ...req.base, kind: 'onbuild', trigger, expression };
}

function parseWorkdir(req: ParseRequest): WorkdirCommand {
  if (req.args.length !== 1) fail(errExactlyOneArgument('WORKDIR'));
  req.flags.parse();
  return { ...req.base, kind: 'workdir', path: req.args[0]! };
}

function parseCmd(req: ParseRequest): CmdCommand {
  req.flags.parse();
  return { ...req.base, kind: 'cmd', ...shellDependantCmdLine(req) };
}

function parseEntrypoint(req: ParseRequest): EntrypointCommand {
  req.flags.parse();
  const line = shellDependantCmdLine(req);
  return { ...req.base, kind: 'entrypoint', ...line, cmdLine: line.cmdLine.length ? line.cmdLine : null };
}

function parseExpose(req: ParseRequest): ExposeCommand {
  if (req.args.length === 0) fail(errAtLeastOneArgument('EXPOSE'));
  req.flags.parse();
  // Go's sort.Strings: byte order, which for these ASCII words is code-unit order.
  const ports = [...req.args].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { ...req.base, kind: 'expose', ports };
}

function parseUser(req: ParseRequest): UserCommand {
  if (req.args.length !== 1) fail(errExactlyOneArgument('USER'));
  req.flags.parse();
  return { ...req.base, kind: 'user', user: req.args[0]! };
}

function parseVolume(req: ParseRequest): VolumeCommand {
  if (req.args.length === 0) fail(errAtLeastOneArgument('VOLUME'));
  req.flags.parse();
  const volumes = req.args.map((v) => {
    const trimmed = v.trim();
    if (trimmed === '') fail('VOLUME specified can not be an empty string');
    return trimmed;
  });
  return { ...req.base, kind: 'volume', volumes };
}

function parseStopSignal(req: ParseRequest): StopSignalCommand {
  if (req.args.length !== 1) fail(errExactlyOneArgument('STOPSIGNAL'));
  return { ...req.base, kind: 'stopsignal', signal: req.args[0]! };
}

function parseArg(req: ParseRequest): ArgCommand {
  if (req.args.length < 1) fail(errAtLeastOneArgument('ARG'));
  const args = req.args.map((word): ArgDeclaration => {
    const eq = word.indexOf('=');
    const key = eq < 0 ? word : word.slice(0, eq);
    if (eq === 0) fail(errBlankCommandNames('ARG'));
    return { key, value: eq < 0 ? undefined : word.slice(eq + 1), comment: commentFor(req.node.comments, key) };
  });
  return { ...req.base, kind: 'arg', args };
}

function parseShell(req: ParseRequest): ShellCommand {
  req.flags.parse();
  const shell = handleJSONArgs(req.args, req.json);
  if (shell.length === 0) fail(errAtLeastOneArgument('SHELL'));
  if (!req.json) fail(errNotJSON('SHELL', req.node.original));
  return { ...req.base, kind: 'shell', shell };
}

const PARSERS: Readonly<Record<string, (req: ParseRequest) => Instruction>> = {
  add: parseAdd,
  arg: parseArg,
  cmd: parseCmd,
  copy: parseCopy,
  entrypoint: parseEntrypoint,
  env: parseEnv,
  expose: parseExpose,
  from: parseFrom,
  healthcheck: parseHealthcheck,
  label: parseLabel,
  maintainer: parseMaintainer,
  onbuild: parseOnbuild,
  run: parseRun,
  shell: parseShell,
  stopsignal: parseStopSignal,
  user: parseUser,
  volume: parseVolume,
  workdir: parseWorkdir,
};

/** Every instruction keyword, lowercased. */
export const INSTRUCTION_NAMES: readonly string[] = Object.keys(PARSERS);

export interface ParseContext {
  /** File name for error messages. */
  file: string;
  /** Whole source text, so that errors can show the line. */
  source: string;
}

/** One AST node → one typed instruction; every failure is a DockerfileError at the node. */
export function parseInstruction(node: InstructionNode, ctx: ParseContext): Instruction {
  const loc = { file: ctx.file, source: ctx.source, range: node.range };
  const parser = Object.hasOwn(PARSERS, node.keyword.toLowerCase()) ? PARSERS[node.keyword.toLowerCase()] : undefined;
  if (!parser) {
    const written = node.keywordAsWritten || node.keyword;
    throw toDockerfileError(
      new InstructionSyntaxError(withSuggestion(`unknown instruction: ${written}`, written, INSTRUCTION_NAMES, false)),
      loc,
    );
  }
  try {
    return parser(newParseRequest(node));
  } catch (err) {
    if (!(err instanceof InstructionSyntaxError)) throw err;
    throw toDockerfileError(err, loc) satisfies DockerfileError;
  }
}
