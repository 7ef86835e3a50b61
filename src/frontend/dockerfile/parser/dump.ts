// BuildKit's AST dump (Node.Dump): one `(keyword ["--flags"] "arg" ...)` line per instruction.
import type { DockerfileAST, InstructionNode } from '../ast.js';
import { goQuote } from './go-quote.js';
import { trimGo } from './go-space.js';

export function dumpNode(node: InstructionNode): string {
  let s = node.keyword;
  if (node.flags.length > 0) s += ` [${node.flags.map(goQuote).join(' ')}]`;
  for (const arg of node.args) s += ` ${goQuote(arg)}`;
  if (node.inner) s += ` (${dumpNode(node.inner)})`;
  // Go trims the result, which matters only for an empty keyword.
  return trimGo(s);
}

/** The dump of a whole file, lines joined with "\n" and no trailing newline (as BuildKit). */
export function dumpAST(ast: DockerfileAST): string {
  return ast.children.map((n) => `(${dumpNode(n)})`).join('\n');
}
