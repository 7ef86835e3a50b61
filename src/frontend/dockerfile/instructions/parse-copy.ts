// COPY and ADD: sources (paths or heredoc files) and destination, and their flags,
// after BuildKit's parseCopy / parseAdd / parseSourcesAndDest.

import type { Heredoc } from '../ast.js';
import { chompHeredocContent, parseHeredocWord } from './heredoc-word.js';
import type { ParseRequest } from './request.js';
import { errBadHeredoc, errNoDestinationArgument } from './request.js';
import { InstructionSyntaxError } from './syntax-error.js';
import type { AddCommand, CopyCommand, SourceContent, SourcesAndDest } from './types.js';

function parseSourcesAndDest(req: ParseRequest, command: string): SourcesAndDest {
  const srcs = req.args.slice(0, -1);
  const dest = req.args[req.args.length - 1]!;
  if (parseHeredocWord(dest)) throw new InstructionSyntaxError(errBadHeredoc(command, 'a destination'));

  // Looked up by name, as BuildKit does (a later body with the same name wins).
  const byName = new Map<string, Heredoc>(req.node.heredocs.map((h) => [h.name, h]));
  const sourcePaths: string[] = [];
  const sourceContents: SourceContent[] = [];
  for (const src of srcs) {
    const word = parseHeredocWord(src);
    if (!word) {
      sourcePaths.push(src);
      continue;
    }
    const body = byName.get(word.name)?.content ?? '';
    sourceContents.push({ path: word.name, data: word.chomp ? chompHeredocContent(body) : body, expand: word.expand });
  }
  return { destPath: dest, sourcePaths, sourceContents };
}

export function parseCopy(req: ParseRequest): CopyCommand {
  if (req.args.length < 2) throw new InstructionSyntaxError(errNoDestinationArgument('COPY'));
  const flChown = req.flags.addString('chown');
  const flChmod = req.flags.addString('chmod');
  const flFrom = req.flags.addString('from');
  const flLink = req.flags.addBool('link');
  const flParents = req.flags.addBool('parents');
  const flExclude = req.flags.addStrings('exclude');
  req.flags.parse();

  return {
    ...req.base,
    kind: 'copy',
    ...parseSourcesAndDest(req, 'COPY'),
    from: flFrom.value,
    chown: flChown.value,
    chmod: flChmod.value,
    link: flLink.isTrue,
    parents: flParents.isTrue,
    excludePatterns: [...flExclude.values],
  };
}

export function parseAdd(req: ParseRequest): AddCommand {
  if (req.args.length < 2) throw new InstructionSyntaxError(errNoDestinationArgument('ADD'));
  const flChown = req.flags.addString('chown');
  const flChmod = req.flags.addString('chmod');
  const flLink = req.flags.addBool('link');
  const flExclude = req.flags.addStrings('exclude');
  const flKeepGitDir = req.flags.addBool('keep-git-dir');
  const flChecksum = req.flags.addString('checksum');
  const flUnpack = req.flags.addBool('unpack');
  req.flags.parse();

  return {
    ...req.base,
    kind: 'add',
    ...parseSourcesAndDest(req, 'ADD'),
    chown: flChown.value,
    chmod: flChmod.value,
    link: flLink.isTrue,
    keepGitDir: flKeepGitDir.isTrue,
    checksum: flChecksum.value,
    excludePatterns: [...flExclude.values],
    unpack: flUnpack.used ? flUnpack.isTrue : undefined,
  };
}
