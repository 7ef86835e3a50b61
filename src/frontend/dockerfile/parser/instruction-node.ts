// Builds one instruction node from a joined logical line (BuildKit's newNodeFromLine):
// keyword, flags, dispatch to the keyword's line parser, ONBUILD nesting.
import type { InstructionNode, SourceRange } from '../ast.js';
import { lineParsers, parseIgnore } from './line-parsers.js';
import { splitCommand } from './split-command.js';

export function nodeFromLine(line: string, escape: string, comments: string[], range: SourceRange): InstructionNode {
  const { keyword, flags, rest } = splitCommand(line);
  const lower = keyword.toLowerCase();
  const parse = Object.hasOwn(lineParsers, lower) ? lineParsers[lower]! : parseIgnore;
  const parsed = parse(rest, escape);
  const node: InstructionNode = {
    keyword: lower,
    keywordAsWritten: keyword,
    flags,
    args: parsed.args,
    json: parsed.json,
    heredocs: [],
    original: line,
    comments,
    range,
  };
  if (parsed.subCommand !== undefined) node.inner = nodeFromLine(parsed.subCommand, escape, [], range);
  return node;
}

const HEREDOC_KEYWORDS = new Set(['run', 'copy', 'add']);

/** Whether the node may carry heredocs: RUN/COPY/ADD in shell form, also inside ONBUILD. */
export function canContainHeredoc(node: InstructionNode): boolean {
  const target = node.keyword === 'onbuild' && node.inner ? node.inner : node;
  return HEREDOC_KEYWORDS.has(target.keyword) && !target.json;
}
