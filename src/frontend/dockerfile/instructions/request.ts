// What each instruction parser receives: the node, its arguments, its flags, and the
// base fields every typed instruction carries.

import type { InstructionNode } from '../ast.js';
import { BFlags } from './bflags.js';
import type { InstructionBase, ShellDependantCmdLine } from './types.js';

export interface ParseRequest {
  node: InstructionNode;
  args: string[];
  json: boolean;
  flags: BFlags;
  base: InstructionBase;
}

export function newParseRequest(node: InstructionNode): ParseRequest {
  return {
    node,
    args: node.args,
    json: node.json,
    flags: new BFlags(node.flags),
    base: { name: node.keyword, original: node.original.trim(), range: node.range, node },
  };
}

/** BuildKit's handleJSONArgs: exec form as is, shell form joined into one string. */
export function handleJSONArgs(args: readonly string[], json: boolean): string[] {
  if (args.length === 0) return [];
  if (json) return [...args];
  return [args.join(' ')];
}

/** CMD / ENTRYPOINT / RUN command line with heredoc files. */
export function shellDependantCmdLine(req: ParseRequest): ShellDependantCmdLine {
  return {
    cmdLine: handleJSONArgs(req.args, req.json),
    prependShell: !req.json,
    files: req.node.heredocs.map((h) => ({ name: h.name, data: h.content, chomp: h.chomp })),
  };
}

/** BuildKit's getComment: the text of a `# NAME text` comment line directly above. */
export function commentFor(comments: readonly string[], name: string): string {
  if (name === '') return '';
  for (const raw of comments) {
    const line = raw.trim();
    if (line.startsWith(`${name} `)) return line.slice(name.length + 1);
  }
  return '';
}

export const errAtLeastOneArgument = (cmd: string): string => `${cmd} requires at least one argument`;
export const errExactlyOneArgument = (cmd: string): string => `${cmd} requires exactly one argument`;
export const errNoDestinationArgument = (cmd: string): string =>
  `${cmd} requires at least two arguments, but only one was provided. Destination could not be determined`;
export const errBlankCommandNames = (cmd: string): string => `${cmd} names can not be blank`;
export const errTooManyArguments = (cmd: string): string => `Bad input to ${cmd}, too many arguments`;
export const errBadHeredoc = (cmd: string, option: string): string => `${cmd} cannot accept a heredoc as ${option}`;

/** BuildKit's errNotJSON, with its hint for unescaped Windows paths. */
export function errNotJSON(cmd: string, original: string): string {
  const lower = original.toLowerCase();
  let extra = '';
  if (/"[a-z]:\\.*/.test(lower) && !lower.includes('\\\\') && lower.includes('[') && lower.includes(']')) {
    extra = `. It looks like '${lower}' includes a file path without an escaped back-slash. JSON requires back-slashes to be escaped such as ["c:\\\\path\\\\to\\\\file.exe", "/parameter"]`;
  }
  return `${cmd} requires the arguments to be in JSON form${extra}`;
}
