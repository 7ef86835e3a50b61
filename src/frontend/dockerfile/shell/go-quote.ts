// Go's strconv.Quote (what `%q` prints) for BuildKit's "failed to process %q" errors: one
// implementation, shared with the parser's AST dump.
export { goQuote } from '../parser/go-quote.js';
