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
    if (w.location && data !== undefined) text += formatSourceSnippet(w.location.file, data, [{ start: w.location.line, end: w.location.endLine ?? w.location.line }]);
  }
  return { text, status: 1 };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface CallRequest {
  name: 'build' | 'check';
  /** `ignorestatus=true`: the check's status is not the exit status. */
  ignoreStatus: boolean;
}

const GO_BOOL: Record<string, boolean> = {
  1: true, t: true, T: true, TRUE: true, true: true, True: true, 0: false, f: false, F: false, FALSE: false, false: false, False: false,
};

/**
 * `--call` as buildx's ParsePrintFunc reads it: a method name (build, the default; check or its
 * older name lint) and `key=value` fields, of which only ignorestatus is supported (format=json
 * is refused rather than answered as text). buildx's outline and targets are not supported.
 */
export function parseCall(call: string | undefined, check: boolean): CallRequest {
  if (check) return { name: 'check', ignoreStatus: false };
  if (call === undefined || call === '' || call === 'build') return { name: 'build', ignoreStatus: false };
  let name = '';
  let ignoreStatus = false;
  for (const field of call.split(',')) {
    const eq = field.indexOf('=');
    if (eq < 0) {
      if (name) throw new UsageError(`invalid print value: ${call}`);
      name = field;
      continue;
    }
    const [key, value] = [field.slice(0, eq), field.slice(eq + 1)];
    if (key === 'ignorestatus') {
      const v = GO_BOOL[value];
      if (v === undefined) throw new UsageError(`invalid ignorestatus print value: ${value}`);
      ignoreStatus = v;
    } else if (key === 'format' && value === '') {
      // the default format
    } else if (key === 'format') {
      throw new UsageError(`--call=${call}: only the default format is supported`);
    } else {
      throw new UsageError(`invalid print field: ${field}`);
    }
  }
  if (name === 'build' && !ignoreStatus) return { name, ignoreStatus };
  if (name === 'check' || name === 'lint') return { name: 'check', ignoreStatus };
  throw new UsageError(`--call=${call}: only build and check are supported`);
}
