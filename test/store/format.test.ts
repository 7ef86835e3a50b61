import { describe, expect, it } from 'vitest';
import { renderRows } from '../../src/cli/format/render.js';
import { ellipsis, tabwrite } from '../../src/cli/format/table.js';
import { Template } from '../../src/cli/format/template.js';
import { createdAt, createdSince, humanDuration, humanSize } from '../../src/cli/format/units.js';
import { globMatch, referenceMatches } from '../../src/cli/commands/images-filter.js';

describe('Docker units', () => {
  it('prints sizes in decimal units with Docker precision', () => {
    expect(humanSize(0, 3)).toBe('0B');
    expect(humanSize(300006, 3)).toBe('300kB');
    expect(humanSize(4_260_000, 3)).toBe('4.26MB');
    expect(humanSize(301_234)).toBe('301.2kB');
    expect(humanSize(999)).toBe('999B');
    expect(humanSize(1_500_000_000, 3)).toBe('1.5GB');
  });

  it('prints durations like go-units', () => {
    expect(humanDuration(500)).toBe('Less than a second');
    expect(humanDuration(1000)).toBe('1 second');
    expect(humanDuration(59_000)).toBe('59 seconds');
    expect(humanDuration(60_000)).toBe('About a minute');
    expect(humanDuration(5 * 60_000)).toBe('5 minutes');
    expect(humanDuration(3_600_000)).toBe('About an hour');
    expect(humanDuration(47 * 3_600_000)).toBe('47 hours');
    expect(humanDuration(3 * 86_400_000)).toBe('3 days');
    expect(humanDuration(20 * 86_400_000)).toBe('2 weeks');
    expect(humanDuration(90 * 86_400_000)).toBe('3 months');
    expect(humanDuration(3 * 365 * 86_400_000)).toBe('3 years');
    expect(createdSince('2024-01-01T00:00:00Z', Date.parse('2024-01-01T00:00:05Z'))).toBe('5 seconds ago');
    expect(createdSince(undefined)).toBe('');
    expect(createdAt('2026-11-22T19:31:34.577016651Z')).toBe('2026-11-22 19:31:34 +0000 UTC');
  });
});

describe('tables and templates', () => {
  it('aligns like text/tabwriter(minwidth 10, padding 3), last column unpadded', () => {
    expect(tabwrite('REPOSITORY\tTAG\tSIZE\nbusybox\tlatest\t1MB\n')).toBe('REPOSITORY   TAG       SIZE\nbusybox      latest    1MB\n');
  });

  it('cuts long text with an ellipsis', () => {
    expect(ellipsis('abcdef', 4)).toBe('abc…');
    expect(ellipsis('abc', 4)).toBe('abc');
  });

  it('evaluates fields, functions, pipelines, if/range', () => {
    const data = { A: 'x', L: ['a', 'b'], M: { k: 'v' }, N: null, E: [] };
    expect(Template.parse('{{.A}}-{{json .L}}-{{.L}}-{{.M}}-{{index .M "k"}}-{{join .L ","}}').execute(data)).toBe(
      'x-["a","b"]-[a b]-map[k:v]-v-a,b',
    );
    expect(Template.parse('{{.A | upper}}{{if .E}}yes{{else}}no{{end}}{{range .L}}<{{.}}>{{end}}').execute(data)).toBe('Xno<a><b>');
    expect(Template.parse('{{json .}}').execute({ D: '<none>' })).toBe('{"D":"\\u003cnone\\u003e"}');
    expect(() => Template.parse('{{.Nope}}').execute(data)).toThrow(/can't evaluate field Nope/);
    expect(() => Template.parse('{{nofunc .A}}').execute(data)).toThrow(/function "nofunc" not defined/);
  });

  it('renders table, bare-template and json formats', () => {
    const rows = [{ ID: 'abc', Size: '1MB' }];
    const opts = { defaultFormat: 'table {{.ID}}\t{{.Size}}', headers: { ID: 'IMAGE ID', Size: 'SIZE' } };
    expect(renderRows(rows, { ...opts, format: undefined })).toBe('IMAGE ID   SIZE\nabc        1MB\n');
    expect(renderRows(rows, { ...opts, format: '{{.ID}}\\t{{.Size}}' })).toBe('abc\t1MB\n');
    expect(renderRows(rows, { ...opts, format: 'json' })).toBe('{"ID":"abc","Size":"1MB"}\n');
  });

  it('matches reference patterns like path.Match on familiar names', () => {
    expect(globMatch('busy*', 'busybox')).toBe(true);
    expect(globMatch('*', 'library/x')).toBe(false);
    expect(globMatch('b?sybox:[a-l]*', 'busybox:latest')).toBe(true);
    expect(referenceMatches('busybox', 'docker.io/library/busybox:latest')).toBe(true);
    expect(referenceMatches('busybox:1*', 'docker.io/library/busybox:latest')).toBe(false);
    expect(referenceMatches('*/app', 'docker.io/me/app:v1')).toBe(true);
    expect(referenceMatches('localhost:5000/*', 'localhost:5000/x:1')).toBe(true);
  });
});
