// `build --check` (buildx's --call=check): the Dockerfile's build checks, printed as buildx
// prints a lint result (printResult and lint.LintResults.PrintTo): a count line, then each
// warning, ordered by file and line, as `WARNING: <rule> - <url>`, its message and the source
// snippet. Status 1 when there is any warning (the lint subrequest's result.statuscode).
import type { ConvertWarning } from '../../frontend/dockerfile/convert/index.js';
import { formatSourceSnippet } from '../../frontend/dockerfile/source-snippet.js';
import { UsageError } from '../errors.js';

export interface CheckReport {
  text: string;
  status: number;
}

/** `sources`: the Dockerfile text by the file name warnings give. */
export function formatCheckResult(warnings: readonly ConvertWarning[], sources: ReadonlyMap<string, string>): CheckReport {
  const checks = warnings.filter((w) => w.rule);
  if (checks.length === 0) return { text: 'Check complete, no warnings found.\n', status: 0 };
  const sorted = [...checks].sort((a, b) => {
    const fa = a.location?.file ?? '';
    const fb = b.location?.file ?? '';
    if (!a.location || !b.location) return !a.location && !b.location ? cmp(a.rule!, b.rule!) : a.location ? 1 : -1;
    return fa !== fb ? cmp(fa, fb) : a.location.line - b.location.line;
  });
  let text = `Check complete, ${checks.length === 1 ? '1 warning has' : `${checks.length} warnings have`} been found!\n`;
  for (const w of sorted) {
    text += `\nWARNING: ${w.rule}${w.url ? ` - ${w.url}` : ''}\n${w.message}\n`;
    const data = w.location && sources.get(w.location.file);
    if (w.location && data !== undefined) text += formatSourceSnippet(w.location.file, data, [{ start: w.location.line, end: w.location.line }]);
  }
  return { text, status: 1 };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `--call` values: build (the default) and check; buildx's outline and targets are not supported. */
export function parseCall(call: string | undefined, check: boolean): 'build' | 'check' {
  if (check) return 'check';
  const name = (call ?? 'build').split(',')[0]!.trim().toLowerCase();
  if (name === 'build' || name === 'check') return name;
  throw new UsageError(`--call=${call}: only build and check are supported`);
}
