// RUN heredocs as BuildKit lowers them: `RUN <<EOF` alone runs the body through the shell
// (or, when it starts with `#!`, as an executable mounted at /dev/pipes/); any other use
// hands the shell the command line with the bodies appended, for the shell to read.
import { mkfile } from '../../../llb/fileop.js';
import { goJoin } from '../../../llb/go-path.js';
import { scratch } from '../../../llb/state.js';
import type { MountSpec } from '../../../llb/exec.js';
import type { Platform } from '../../../llb/types.js';
import { parseHeredocWord } from '../parser/heredoc.js';
import type { RunCommand } from '../instructions/types.js';

export interface LoweredRunCommand {
  args: string[];
  /** Extra mounts (the script file for `#!` heredocs). */
  mounts: MountSpec[];
  /** Appended to the progress name: ` (first line...)`. */
  nameSuffix: string;
}

export function lowerRunHeredoc(c: RunCommand, platform: Platform): LoweredRunCommand {
  const args = [...c.cmdLine];
  if (c.files.length === 0) return { args, mounts: [], nameSuffix: '' };
  if (args.length !== 1 || !c.prependShell) {
    throw new Error(`parsing produced an invalid run command: [${args.join(' ')}]`);
  }
  const first = c.files[0]!;
  if (isSingleHeredoc(args[0]!)) {
    const data = first.chomp ? first.data.replace(/^\t+/gm, '') : first.data;
    const nameSuffix = ` (${summarizeHeredoc(first.data)})`;
    // BuildKit tests the body as written: a `<<-` body whose `#!` line is tab-indented is a
    // shell script (its first line a comment), though the file would start with `#!`.
    if (first.data.startsWith('#!')) {
      const script = scratch()
        .platform(platform)
        .file(mkfile(first.name, 0o755, data), { customName: '[internal] preparing inline document' });
      return {
        args: [goJoin('/dev/pipes/', first.name)],
        mounts: [{ type: 'bind', target: '/dev/pipes/', source: script, selector: '/', readonly: true }],
        nameSuffix,
      };
    }
    return { args: [data], mounts: [], nameSuffix };
  }
  let line = args[0]!;
  for (const f of c.files) line += `\n${f.data}${f.name}`;
  return { args: [line], mounts: [], nameSuffix: '' };
}

/** First line of the body, with `...` when there are more (BuildKit's summarizeHeredoc). */
function summarizeHeredoc(doc: string): string {
  const lines = doc.trim().replace(/\r\n/g, '\n').split('\n');
  return lines.length > 1 ? `${lines[0]}...` : lines[0]!;
}

/** The command is exactly one heredoc word (BuildKit's MustParseHeredoc). */
function isSingleHeredoc(line: string): boolean {
  try {
    return parseHeredocWord(line) !== undefined;
  } catch {
    return false;
  }
}
