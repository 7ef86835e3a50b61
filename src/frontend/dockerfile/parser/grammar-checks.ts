// chevrotain validates a grammar (its rules and token types) when it builds the parser: a
// few ms of every cold build, for a grammar that cannot change once bundled.
// The tests run the sources and check it at every first parse; the bundle skips it
// (scripts/build.mjs defines SLIPWAY_BUNDLED).
declare const SLIPWAY_BUNDLED: boolean | undefined;

export const checkGrammar = typeof SLIPWAY_BUNDLED === 'undefined' || !SLIPWAY_BUNDLED;
