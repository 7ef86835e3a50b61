// One CSV record (`type=cache,target=/x,"id=a,b"`), as Go's encoding/csv reads it:
// fields split on commas, a field may be wrapped in double quotes (`""` is a literal quote),
// and a quote inside an unquoted field is an error.

import { InstructionSyntaxError } from './syntax-error.js';

export function parseCsvFields(line: string): string[] {
  if (line === '') throw new InstructionSyntaxError('EOF');
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) throw csvError(line.length + 1, 'extraneous or missing " in quoted-field');
        value += line.slice(i, q);
        i = q + 1;
        if (line[i] === '"') {
          value += '"';
          i++;
          continue;
        }
        if (i < line.length && line[i] !== ',') throw csvError(i + 1, 'extraneous or missing " in quoted-field');
        break;
      }
      fields.push(value);
    } else {
      const comma = line.indexOf(',', i);
      const value = comma < 0 ? line.slice(i) : line.slice(i, comma);
      const bare = value.indexOf('"');
      if (bare >= 0) throw csvError(i + bare + 1, 'bare " in non-quoted-field');
      fields.push(value);
      i = comma < 0 ? line.length : comma;
    }
    if (i >= line.length) return fields;
    i++; // the comma
    if (i === line.length) {
      fields.push('');
      return fields;
    }
  }
}

function csvError(column: number, what: string): InstructionSyntaxError {
  return new InstructionSyntaxError(`parse error on line 1, column ${column}: ${what}`);
}
