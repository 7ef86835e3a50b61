// Public surface of the Dockerfile shell-word expander (BuildKit's frontend/dockerfile/shell).
export { ShellLex } from './lex.js';
export type { EscapeToken, ProcessWordResult } from './lex.js';
export type { EnvGetter } from './env.js';
export { envFromList, envFromRecord, toEnvGetter } from './env.js';
export { ShellExpansionError } from './errors.js';
export { goQuote } from './go-quote.js';
