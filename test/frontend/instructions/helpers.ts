// Test helpers: Dockerfile text → AST node (through the real parser) → typed instruction.

import { expect } from 'vitest';
import type { InstructionNode } from '../../../src/frontend/dockerfile/ast.js';
import { DockerfileError } from '../../../src/frontend/dockerfile/errors.js';
import { parseInstruction, type Instruction } from '../../../src/frontend/dockerfile/instructions/index.js';
import { parseDockerfile } from '../../../src/frontend/dockerfile/parser/index.js';

export const FILE = 'Dockerfile';

/** The last instruction node of `text` (earlier lines can set up context, e.g. directives). */
export function nodeOf(text: string): InstructionNode {
  const ast = parseDockerfile(text, { file: FILE });
  return ast.children[ast.children.length - 1]!;
}

/** Parse the last instruction of `text` and check its kind. */
export function parse<K extends Instruction['kind']>(text: string, kind: K): Extract<Instruction, { kind: K }> {
  const cmd = parseInstruction(nodeOf(text), { file: FILE, source: text });
  expect(cmd.kind).toBe(kind);
  return cmd as Extract<Instruction, { kind: K }>;
}

/** The DockerfileError that `fn` throws (fails the test if it throws nothing or something else). */
export function errorOf(fn: () => unknown): DockerfileError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DockerfileError);
    return err as DockerfileError;
  }
  throw new Error('expected a DockerfileError, nothing was thrown');
}

/** The reason parseInstruction gives for the last instruction of `text`. */
export function reasonOf(text: string): string {
  return errorOf(() => parseInstruction(nodeOf(text), { file: FILE, source: text })).reason;
}

/** A hand-made node, for shapes the parser never produces. */
export function makeNode(keyword: string, args: string[], extra: Partial<InstructionNode> = {}): InstructionNode {
  const original = `${keyword.toUpperCase()} ${args.join(' ')}`;
  return {
    keyword,
    keywordAsWritten: keyword.toUpperCase(),
    flags: [],
    args,
    json: false,
    heredocs: [],
    original,
    comments: [],
    range: { start: { line: 1, column: 0 }, end: { line: 1, column: original.length } },
    ...extra,
  };
}
