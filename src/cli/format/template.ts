// The subset of Go's text/template that `--format` uses in Docker: `{{.Field.Sub}}`, `{{.}}`,
// pipelines, string/number literals, the functions json, index, join, split, upper, lower,
// title, len, println, and `{{if}}`/`{{else}}`/`{{range}}`/`{{end}}`, plus `{{-`/`-}}` trim.
// Values print the way Go prints them (`[a b]`, `map[k:v]`).

export class TemplateError extends Error {
  readonly exitCode = 1;
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
  format(): string {
    return `Error: template: ${this.message}\n`;
  }
}

type Operand = { kind: 'field'; path: string[] } | { kind: 'lit'; value: unknown } | { kind: 'ident'; name: string };
type Pipeline = Operand[][];
type Node =
  | { kind: 'text'; text: string }
  | { kind: 'out'; pipe: Pipeline }
  | { kind: 'if'; pipe: Pipeline; then: Node[]; else: Node[] }
  | { kind: 'range'; pipe: Pipeline; body: Node[]; else: Node[] };

export type TemplateFunctions = Record<string, (...args: unknown[]) => unknown>;

export class Template {
  private constructor(private readonly nodes: Node[]) {}

  static parse(source: string): Template {
    const tokens = splitActions(source);
    let pos = 0;
    const parseList = (stopAt: string[]): { nodes: Node[]; stop: string } => {
      const nodes: Node[] = [];
      while (pos < tokens.length) {
        const t = tokens[pos++]!;
        if (t.kind === 'text') {
          nodes.push({ kind: 'text', text: t.text });
          continue;
        }
        const word = t.text.split(/\s+/)[0] ?? '';
        if (word === 'end' || word === 'else') {
          if (!stopAt.includes(word)) throw new TemplateError(`unexpected {{${word}}}`);
          return { nodes, stop: word };
        }
        if (word === 'if' || word === 'range') {
          const pipe = parsePipeline(t.text.slice(word.length));
          const body = parseList(['end', 'else']);
          const alt = body.stop === 'else' ? parseList(['end']).nodes : [];
          nodes.push(word === 'if' ? { kind: 'if', pipe, then: body.nodes, else: alt } : { kind: 'range', pipe, body: body.nodes, else: alt });
          continue;
        }
        nodes.push({ kind: 'out', pipe: parsePipeline(t.text) });
      }
      if (stopAt.length > 0) throw new TemplateError('unexpected EOF');
      return { nodes, stop: '' };
    };
    return new Template(parseList([]).nodes);
  }

  execute(data: unknown, funcs: TemplateFunctions = DEFAULT_FUNCTIONS): string {
    let out = '';
    const run = (nodes: Node[], dot: unknown): void => {
      for (const n of nodes) {
        if (n.kind === 'text') out += n.text;
        else if (n.kind === 'out') out += printValue(evalPipeline(n.pipe, dot, data, funcs));
        else if (n.kind === 'if') run(truthy(evalPipeline(n.pipe, dot, data, funcs)) ? n.then : n.else, dot);
        else {
          const v = evalPipeline(n.pipe, dot, data, funcs);
          const items = Array.isArray(v) ? v : v && typeof v === 'object' ? Object.keys(v).sort().map((k) => (v as Record<string, unknown>)[k]) : [];
          if (items.length === 0) run(n.else, dot);
          for (const item of items) run(n.body, item);
        }
      }
    };
    run(this.nodes, data);
    return out;
  }
}

function splitActions(source: string): Array<{ kind: 'text' | 'action'; text: string }> {
  const out: Array<{ kind: 'text' | 'action'; text: string }> = [];
  let i = 0;
  while (i < source.length) {
    const open = source.indexOf('{{', i);
    if (open < 0) {
      out.push({ kind: 'text', text: source.slice(i) });
      break;
    }
    let text = source.slice(i, open);
    let start = open + 2;
    if (source[start] === '-' && /\s/.test(source[start + 1] ?? '')) {
      text = text.replace(/\s+$/, '');
      start++;
    }
    if (text) out.push({ kind: 'text', text });
    const close = source.indexOf('}}', start);
    if (close < 0) throw new TemplateError('unclosed action');
    let inner = source.slice(start, close);
    i = close + 2;
    if (/\s-$/.test(inner)) {
      inner = inner.slice(0, -1);
      const m = /^\s*/.exec(source.slice(i));
      i += m ? m[0].length : 0;
    }
    out.push({ kind: 'action', text: inner.trim() });
  }
  return out;
}

function parsePipeline(text: string): Pipeline {
  const cmds: Pipeline = [[]];
  const re = /\s*(?:("(?:[^"\\]|\\.)*")|(`[^`]*`)|(\|)|(\.[A-Za-z0-9_.]*)|(-?\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_]*))/y;
  let pos = 0;
  const src = text.trim();
  while (pos < src.length) {
    re.lastIndex = pos;
    const m = re.exec(src);
    if (!m) throw new TemplateError(`unexpected "${src.slice(pos)}" in command`);
    pos = re.lastIndex;
    const cur = cmds[cmds.length - 1]!;
    if (m[1]) cur.push({ kind: 'lit', value: JSON.parse(m[1]) });
    else if (m[2]) cur.push({ kind: 'lit', value: m[2].slice(1, -1) });
    else if (m[3]) cmds.push([]);
    else if (m[4]) cur.push({ kind: 'field', path: m[4] === '.' ? [] : m[4].slice(1).split('.') });
    else if (m[5]) cur.push({ kind: 'lit', value: Number(m[5]) });
    else if (m[6]) cur.push(m[6] === 'true' || m[6] === 'false' ? { kind: 'lit', value: m[6] === 'true' } : { kind: 'ident', name: m[6] });
  }
  if (cmds.some((c) => c.length === 0)) throw new TemplateError('missing value for command');
  return cmds;
}

function evalPipeline(pipe: Pipeline, dot: unknown, top: unknown, funcs: TemplateFunctions): unknown {
  let prev: unknown;
  let first = true;
  for (const cmd of pipe) {
    const head = cmd[0]!;
    const args = cmd.slice(1).map((op) => evalOperand(op, dot, top, funcs));
    if (!first) args.push(prev);
    if (head.kind === 'ident') {
      const fn = funcs[head.name];
      if (!fn) throw new TemplateError(`function "${head.name}" not defined`);
      prev = fn(...args);
    } else {
      if (args.length > 0) throw new TemplateError("can't give argument to non-function");
      prev = evalOperand(head, dot, top, funcs);
    }
    first = false;
  }
  return prev;
}

function evalOperand(op: Operand, dot: unknown, top: unknown, funcs: TemplateFunctions): unknown {
  if (op.kind === 'lit') return op.value;
  if (op.kind === 'ident') {
    const fn = funcs[op.name];
    if (!fn) throw new TemplateError(`function "${op.name}" not defined`);
    return fn();
  }
  let v = dot;
  op.path.forEach((key, depth) => {
    if (v === null || v === undefined || typeof v !== 'object') {
      throw new TemplateError(`executing "" at <.${op.path.join('.')}>: nil pointer evaluating .${key}`);
    }
    if (!(key in (v as object))) {
      // Docker's contexts are Go structs: an unknown top-level field is an error; deeper
      // levels are usually maps, which print <no value>.
      if (depth === 0 && v === top) throw new TemplateError(`executing "" at <.${key}>: can't evaluate field ${key}`);
      v = undefined;
      return;
    }
    v = (v as Record<string, unknown>)[key];
  });
  return v;
}

function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

/** How Go's fmt prints a value. */
export function printValue(v: unknown): string {
  if (v === undefined) return '<no value>';
  if (v === null) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(printValue).join(' ')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `map[${Object.keys(o)
      .sort()
      .map((k) => `${k}:${printValue(o[k])}`)
      .join(' ')}]`;
  }
  return String(v);
}

/** Go's encoding/json escapes <, > and & in strings. */
export function goJson(v: unknown, indent?: string): string {
  return JSON.stringify(v ?? null, null, indent).replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
}

export const DEFAULT_FUNCTIONS: TemplateFunctions = {
  json: (v) => goJson(v),
  index: (v, ...keys) => keys.reduce((acc: unknown, k) => (acc && typeof acc === 'object' ? (acc as Record<string, unknown>)[String(k)] : undefined), v),
  join: (list, sep) => (Array.isArray(list) ? list.map(printValue).join(String(sep)) : printValue(list)),
  split: (s, sep) => String(s).split(String(sep)),
  upper: (s) => String(s).toUpperCase(),
  lower: (s) => String(s).toLowerCase(),
  title: (s) => String(s).replace(/\b\w/g, (c) => c.toUpperCase()),
  len: (v) => (Array.isArray(v) || typeof v === 'string' ? v.length : v && typeof v === 'object' ? Object.keys(v).length : 0),
  println: (...args) => `${args.map(printValue).join(' ')}\n`,
};

/** Functions for rendering a table header: each passes its argument through. */
export const HEADER_FUNCTIONS: TemplateFunctions = {
  ...DEFAULT_FUNCTIONS,
  json: (v) => v,
  upper: (v) => v,
  lower: (v) => v,
  title: (v) => v,
  join: (v) => v,
  index: (v) => v,
};
