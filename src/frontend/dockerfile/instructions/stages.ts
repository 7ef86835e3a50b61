// A whole AST → build stages and the global ARGs before the first FROM,
// after BuildKit's instructions.Parse.

import type { DockerfileAST } from '../ast.js';
import { DockerfileError } from '../errors.js';
import { parseInstruction } from './parse.js';
import type { ArgCommand, Stage } from './types.js';

export interface ParsedDockerfile {
  stages: Stage[];
  /** ARG instructions before the first FROM (usable in FROM lines). */
  metaArgs: ArgCommand[];
}

export function parseInstructions(ast: DockerfileAST): ParsedDockerfile {
  const ctx = { file: ast.file, source: ast.source };
  const stages: Stage[] = [];
  const metaArgs: ArgCommand[] = [];
  for (const node of ast.children) {
    const cmd = parseInstruction(node, ctx);
    if (cmd.kind === 'from') {
      stages.push({
        name: cmd.stageName,
        index: stages.length,
        baseName: cmd.baseName,
        platform: cmd.platform,
        comment: cmd.comment,
        from: cmd,
        commands: [],
      });
      continue;
    }
    const current = stages[stages.length - 1];
    if (!current) {
      if (cmd.kind === 'arg') {
        metaArgs.push(cmd);
        continue;
      }
      throw new DockerfileError('no build stage in current context', { ...ctx, range: node.range });
    }
    current.commands.push(cmd);
  }
  return { stages, metaArgs };
}
