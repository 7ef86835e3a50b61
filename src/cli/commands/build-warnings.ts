// Build warnings as `docker buildx build` prints them after a build.
import type { ConvertWarning } from '../../frontend/dockerfile/convert/index.js';

export function formatWarnings(warnings: readonly ConvertWarning[]): string {
  const checks = warnings.filter((w) => w.rule);
  let out = '';
  for (const w of warnings.filter((w) => !w.rule)) out += `WARNING: ${w.message}\n`;
  if (checks.length > 0) {
    out += ` ${checks.length} warning${checks.length === 1 ? '' : 's'} found:\n`;
    for (const w of checks) out += ` - ${w.rule}: ${w.message}${w.location ? ` (line ${w.location.line})` : ''}\n`;
  }
  return out;
}
