// COPY/ADD --chmod: an octal mode up to 07777, or (newer BuildKit) a symbolic mode such
// as `u+x,g-w` that the file op applies per file.

export type ChmodSpec = { mode: number } | { modeStr: string };

// BSD setmode (BuildKit parses with a port of it): after an operator, permission letters or
// the who-letters whose bits to copy (`g=u`, `go=u-w`).
const SYMBOLIC = /^[ugoa]*([-+=][rwxXstugo]*)+(,[ugoa]*([-+=][rwxXstugo]*)+)*$/;

export function parseChmod(chmod: string): ChmodSpec | undefined {
  if (chmod === '') return undefined;
  const nonOctal = new Error(`invalid chmod parameter: '${chmod}'. it should be octal string and between 0 and 07777`);
  if (/^[0-7]+$/.test(chmod)) {
    const mode = parseInt(chmod, 8);
    if (mode > 0o7777) throw nonOctal;
    return { mode };
  }
  if (/^[0-9]+$/.test(chmod)) throw nonOctal;
  if (!SYMBOLIC.test(chmod)) throw new Error(`invalid chmod parameter: '${chmod}'`);
  return { modeStr: chmod };
}
