// The per-instruction line parsers (BuildKit's dispatch table): each turns the rest of a
// line, after keyword and flags, into the node's arguments.
import { ParseFailure } from './parse-failure.js';
import { goQuote } from './go-quote.js';
import { isGoSpace, RE_WHITESPACE } from './go-space.js';
import { parseJSONArray } from './json-array.js';
import { parseWords } from './parse-words.js';

export interface LineParseResult {
  args: string[];
  json: boolean;
  /** ONBUILD: the wrapped instruction line (still to be parsed). */
  subCommand?: string;
}

export type LineParser = (rest: string, escape: string) => LineParseResult;

const plain = (args: string[]): LineParseResult => ({ args, json: false });

/** FROM, EXPOSE, and the fallback of ADD/COPY/VOLUME. */
const parseStringsWhitespaceDelimited: LineParser = (rest) => plain(rest === '' ? [] : rest.split(RE_WHITESPACE));

/** MAINTAINER, USER, WORKDIR, STOPSIGNAL. */
const parseString: LineParser = (rest) => plain(rest === '' ? [] : [rest]);

/** RUN, CMD, ENTRYPOINT, SHELL: a JSON string array, or the whole rest as one shell string. */
const parseMaybeJSON: LineParser = (rest) => {
  if (rest === '') return plain([]);
  const json = parseJSONArray(rest);
  return json ? { args: json, json: true } : plain([rest]);
};

/** ADD, COPY, VOLUME: a JSON string array, or whitespace-separated words. */
const parseMaybeJSONToList: LineParser = (rest, escape) => {
  const json = parseJSONArray(rest);
  return json ? { args: json, json: true } : parseStringsWhitespaceDelimited(rest, escape);
};

/** ENV and LABEL: `key value sep` triples, in the `k=v ...` form or the legacy `KEY value` form. */
function parseNameVal(rest: string, escape: string, keyword: string): LineParseResult {
  const words = parseWords(rest, escape);
  if (words.length === 0) return plain([]);
  if (!words[0]!.includes('=')) {
    const m = RE_WHITESPACE.exec(rest);
    if (!m) throw new ParseFailure(`${keyword} must have two arguments`);
    return plain([rest.slice(0, m.index), rest.slice(m.index + m[0].length), '']);
  }
  const args: string[] = [];
  for (const word of words) {
    const eq = word.indexOf('=');
    if (eq < 0) {
      throw new ParseFailure(`Syntax error - can't find = in ${goQuote(word)}. Must be of the form: name=value`);
    }
    args.push(word.slice(0, eq), word.slice(eq + 1), '=');
  }
  return plain(args);
}

/** ARG: one argument per word, quotes kept. */
const parseNameOrNameVal: LineParser = (rest, escape) => plain(parseWords(rest, escape));

/** HEALTHCHECK: the type word (CMD, NONE, ...) and then the command like CMD. */
const parseHealthConfig: LineParser = (rest, escape) => {
  let sep = 0;
  while (sep < rest.length && !isGoSpace(rest.charCodeAt(sep))) sep++;
  if (sep === 0) return plain([]);
  let next = sep;
  while (next < rest.length && isGoSpace(rest.charCodeAt(next))) next++;
  const cmd = parseMaybeJSON(rest.slice(next), escape);
  return { args: [rest.slice(0, sep), ...cmd.args], json: cmd.json };
};

/** ONBUILD: the rest is a whole instruction of its own. */
const parseSubCommand: LineParser = (rest) => (rest === '' ? plain([]) : { args: [], json: false, subCommand: rest });

/** Unknown keywords: kept, with one empty argument (`(foo "")`). */
export const parseIgnore: LineParser = () => plain(['']);

export const lineParsers: Readonly<Record<string, LineParser>> = {
  add: parseMaybeJSONToList,
  arg: parseNameOrNameVal,
  cmd: parseMaybeJSON,
  copy: parseMaybeJSONToList,
  entrypoint: parseMaybeJSON,
  env: (rest, escape) => parseNameVal(rest, escape, 'ENV'),
  expose: parseStringsWhitespaceDelimited,
  from: parseStringsWhitespaceDelimited,
  healthcheck: parseHealthConfig,
  label: (rest, escape) => parseNameVal(rest, escape, 'LABEL'),
  maintainer: parseString,
  onbuild: parseSubCommand,
  run: parseMaybeJSON,
  shell: parseMaybeJSON,
  stopsignal: parseString,
  user: parseString,
  volume: parseMaybeJSONToList,
  workdir: parseString,
};
