// The Dockerfile parser: text -> AST, BuildKit's AST dump, and Go string quoting.
export { parseDockerfile, MAX_LINE_BYTES, type ParseOptions } from './parse-dockerfile.js';
export { dumpAST, dumpNode } from './dump.js';
export { goQuote } from './go-quote.js';
export { heredocsFromLine, parseHeredocWord } from './heredoc.js';
