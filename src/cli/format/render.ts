// Docker's --format handling: `table TEMPLATE` (header row + tabwriter), `json` (one JSON
// object per line), or a bare template (one line per row, no alignment). `\t` and `\n`
// written literally in the format are turned into tab and newline, as Docker does.
import { tabwrite } from './table.js';
import { goJson, HEADER_FUNCTIONS, Template } from './template.js';

export interface RenderOptions {
  /** The user's --format (undefined → the default table). */
  format: string | undefined;
  /** The default, a `table …` format. */
  defaultFormat: string;
  /** Column header for each field the templates may use. */
  headers: Record<string, string>;
}

export function isTableFormat(format: string): boolean {
  return format.startsWith('table');
}

export function prepareFormat(format: string | undefined, defaultFormat: string): string {
  const f = format === undefined || format === '' || format === 'table' ? defaultFormat : format;
  return f;
}

export function renderRows(rows: object[], opts: RenderOptions): string {
  const format = prepareFormat(opts.format, opts.defaultFormat);
  if (format === 'json') return rows.map((r) => `${goJson(sortKeys(r))}\n`).join('');
  const table = isTableFormat(format);
  const body = (table ? format.slice('table'.length) : format).trim().replace(/\\t/g, '\t').replace(/\\n/g, '\n');
  const tmpl = Template.parse(body);
  let out = '';
  if (table) out += `${tmpl.execute(opts.headers, HEADER_FUNCTIONS)}\n`;
  for (const r of rows) out += `${tmpl.execute(sortKeys(r))}\n`;
  return table ? tabwrite(out) : out;
}

/** Docker's row contexts marshal as maps, so `{{json .}}` lists keys sorted. */
function sortKeys(o: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o).sort()) out[k] = (o as Record<string, unknown>)[k];
  return out;
}
