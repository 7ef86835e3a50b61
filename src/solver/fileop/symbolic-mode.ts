// Symbolic chmod (`u+x,g-w`, `+x`, `a=rX`) as fsutil applies COPY --chmod modeStr per file,
// with a umask of 0 (an empty "who" means everyone). `X` sets execute only on directories
// or when an execute bit is set by then (BSD setmode, which the Go port follows: clauses
// apply left to right, so `u+x,a+X` makes a 0644 file 0755).

export class ModeStringError extends Error {}

interface Clause { who: number; ops: Array<{ op: '+' | '-' | '='; perms: string }> }

const WHO_MASK: Record<string, number> = { u: 0o4700, g: 0o2070, o: 0o1007, a: 0o7777 };

function parse(modeStr: string): Clause[] {
  return modeStr.split(',').map((clause) => {
    const m = /^([ugoa]*)((?:[-+=][rwxXst]*)+)$/.exec(clause);
    if (!m) throw new ModeStringError(`invalid chmod parameter: '${modeStr}'`);
    const whoChars = m[1] ?? '';
    let who = 0;
    for (const c of whoChars) who |= WHO_MASK[c] as number;
    if (who === 0) who = 0o7777;
    const ops = [...(m[2] ?? '').matchAll(/([-+=])([rwxXst]*)/g)]
      .map((o) => ({ op: o[1] as '+' | '-' | '=', perms: o[2] ?? '' }));
    return { who, ops };
  });
}

function permBits(perms: string, current: number, isDir: boolean): number {
  let bits = 0;
  for (const p of perms) {
    if (p === 'r') bits |= 0o444;
    else if (p === 'w') bits |= 0o222;
    else if (p === 'x') bits |= 0o111;
    else if (p === 'X') { if (isDir || (current & 0o111) !== 0) bits |= 0o111; }
    else if (p === 's') bits |= 0o6000;
    else if (p === 't') bits |= 0o1000;
  }
  return bits;
}

/** A function applying `modeStr` to a mode (permission and special bits only). */
export function compileModeString(modeStr: string): (mode: number, isDir: boolean) => number {
  const clauses = parse(modeStr);
  return (mode, isDir) => {
    let m = mode & 0o7777;
    for (const { who, ops } of clauses) {
      for (const { op, perms } of ops) {
        const bits = permBits(perms, m, isDir) & who;
        if (op === '+') m |= bits;
        else if (op === '-') m &= ~bits;
        else m = (m & ~who) | bits;
      }
    }
    return m & 0o7777;
  };
}
