// Symbolic chmod (`u+x,g-w`, `+x`, `a=rX`, `go=u-w`) as fsutil applies COPY --chmod modeStr
// per file: BuildKit parses it with github.com/tonistiigi/dchapes-mode, a Go port of BSD's
// setmode(3), with a umask of 0 (an empty "who" means everyone) and applies the set to the
// source's mode. BSD rules, which differ from GNU chmod:
//  - `X` counts only with `+` (`=rX` and `-X` ignore it), and it looks at the mode the file
//    had before any clause applied: `u+x,a+X` leaves a 0644 file 0744, `a-x,a+X` gives an
//    executable file its x bits back;
//  - `a` and an empty who cover setuid/setgid and the permission bits, not the sticky bit
//    (`=rw` keeps a sticky bit); `o` covers the other bits only, and `o+s`/`o+t` do nothing;
//  - `t` in a clause narrows that operation to the sticky bit (`+rt` only sets `t`).
// The commands are kept in BSD's compressed form (consecutive +, - and X merged).

export class ModeStringError extends Error {}

const IS_UID = 0o4000;
const IS_GID = 0o2000;
const IS_TXT = 0o1000;
const RWXU = 0o700;
const RWXG = 0o070;
const RWXO = 0o007;
const R_ALL = 0o444;
const W_ALL = 0o222;
const X_ALL = 0o111;
const STANDARD_BITS = IS_UID | IS_GID | RWXU | RWXG | RWXO;
/** Go's modet is a uint16. */
const ALL = 0xffff;
/** ^umask with a umask of 0. */
const MASK = ALL;

const CLEAR = 1;
const SET = 2;
const GBITS = 4;
const OBITS = 8;
const UBITS = 16;

type Cmd = '+' | '-' | 'X' | 'u' | 'g' | 'o';
interface BitCmd { cmd: Cmd; cmd2: number; bits: number }

function addcmd(cmds: BitCmd[], op: '+' | '-' | '=' | 'X' | 'u' | 'g' | 'o', who: number, oparg: number | string): void {
  if (op === 'u' || op === 'g' || op === 'o') {
    const c: BitCmd = { cmd: op, cmd2: 0, bits: 0 };
    if (who !== 0) {
      if (who & 0o400) c.cmd2 |= UBITS;
      if (who & 0o040) c.cmd2 |= GBITS;
      if (who & 0o004) c.cmd2 |= OBITS;
      c.bits = ALL;
    } else {
      c.cmd2 = UBITS | GBITS | OBITS;
      c.bits = MASK;
    }
    if (oparg === '+') c.cmd2 |= SET;
    else if (oparg === '-') c.cmd2 |= CLEAR;
    else if (oparg === '=') c.cmd2 |= SET | CLEAR;
    cmds.push(c);
    return;
  }
  const perm = oparg as number;
  let cmd: '+' | '-' | 'X' = op === '=' ? '+' : op;
  if (op === '=') {
    cmds.push({ cmd: '-', cmd2: 0, bits: who !== 0 ? who : STANDARD_BITS });
    cmd = '+';
  }
  cmds.push({ cmd, cmd2: 0, bits: (who !== 0 ? who & perm : MASK & perm) & ALL });
}

/** BSD's compress: runs of +, - and X merged into at most one of each, in that order. */
function compress(cmds: BitCmd[]): BitCmd[] {
  const out: BitCmd[] = [];
  for (let i = 0; i < cmds.length; i++) {
    const first = cmds[i] as BitCmd;
    if (first.cmd !== '+' && first.cmd !== '-' && first.cmd !== 'X') {
      out.push(first);
      continue;
    }
    let setbits = 0;
    let clrbits = 0;
    let xbits = 0;
    for (; i < cmds.length; i++) {
      const c = cmds[i] as BitCmd;
      if (c.cmd === '-') {
        clrbits |= c.bits;
        setbits &= ~c.bits;
        xbits &= ~c.bits;
      } else if (c.cmd === '+') {
        setbits |= c.bits;
        clrbits &= ~c.bits;
        xbits &= ~c.bits;
      } else if (c.cmd === 'X') {
        xbits |= c.bits & ~setbits;
      } else {
        i--;
        break;
      }
    }
    if (clrbits !== 0) out.push({ cmd: '-', cmd2: 0, bits: clrbits });
    if (setbits !== 0) out.push({ cmd: '+', cmd2: 0, bits: setbits });
    if (xbits !== 0) out.push({ cmd: 'X', cmd2: 0, bits: xbits });
  }
  return out;
}

function parse(modeStr: string): BitCmd[] {
  const invalid = (): ModeStringError => new ModeStringError(`invalid chmod parameter: '${modeStr}'`);
  let s = modeStr;
  if (s === '') throw invalid();
  const cmds: BitCmd[] = [];
  if (s[0]! >= '0' && s[0]! <= '9') {
    if (!/^[0-7]+$/.test(s)) throw invalid();
    const v = parseInt(s, 8);
    if (v & ~(STANDARD_BITS | IS_TXT)) throw invalid();
    cmds.push({ cmd: '-', cmd2: 0, bits: STANDARD_BITS | IS_TXT }, { cmd: '+', cmd2: 0, bits: v });
    return cmds;
  }
  let equalOpDone = false;
  for (;;) {
    let who = 0;
    for (;;) {
      if (s.length === 0) throw invalid();
      const w = s[0];
      if (w === 'a') who |= STANDARD_BITS;
      else if (w === 'u') who |= IS_UID | RWXU;
      else if (w === 'g') who |= IS_GID | RWXG;
      else if (w === 'o') who |= RWXO;
      else break;
      s = s.slice(1);
    }
    for (;;) { // getop
      if (s.length === 0) throw invalid();
      const op = s[0] as string;
      s = s.slice(1);
      if (op === '=') equalOpDone = false;
      else if (op !== '+' && op !== '-') throw invalid();
      who &= ~IS_TXT;
      let perm = 0;
      let permX = 0;
      for (;; s = s.slice(1)) {
        const b = s[0];
        if (b === 'r') perm |= R_ALL;
        else if (b === 'w') perm |= W_ALL;
        else if (b === 'x') perm |= X_ALL;
        else if (b === 'X') {
          if (op === '+') permX = X_ALL;
        } else if (b === 's') {
          // Only "other" bits: set-id is ignored.
          if (who === 0 || (who & ~RWXO) !== 0) perm |= IS_UID | IS_GID;
        } else if (b === 't') {
          if (who === 0 || (who & ~RWXO) !== 0) {
            who |= IS_TXT;
            perm |= IS_TXT;
          }
        } else if (b === 'u' || b === 'g' || b === 'o') {
          // Copying another class's bits: flush what came before.
          if (perm !== 0) {
            addcmd(cmds, op as '+' | '-' | '=', who, perm);
            perm = 0;
          }
          if (op === '=') equalOpDone = true;
          if (permX !== 0) {
            addcmd(cmds, 'X', who, permX);
            permX = 0;
          }
          addcmd(cmds, b, who, op);
        } else {
          if (perm !== 0 || (op === '=' && !equalOpDone)) {
            if (op === '=') equalOpDone = true;
            addcmd(cmds, op as '+' | '-' | '=', who, perm);
          }
          if (permX !== 0) addcmd(cmds, 'X', who, permX);
          break;
        }
      }
      if (s === '' || s[0] === ',') break;
    }
    if (s === '') break;
    s = s.slice(1); // the ','
  }
  return compress(cmds);
}

/** A function applying `modeStr` to a mode (permission and special bits only). */
export function compileModeString(modeStr: string): (mode: number, isDir: boolean) => number {
  const cmds = parse(modeStr);
  return (mode, isDir) => {
    const omode = mode & 0o7777;
    let m = omode;
    const common = (c: BitCmd, value: number): void => {
      if (c.cmd2 & CLEAR) {
        const clrval = c.cmd2 & SET ? RWXO : value;
        if (c.cmd2 & UBITS) m &= ~((clrval << 6) & c.bits);
        if (c.cmd2 & GBITS) m &= ~((clrval << 3) & c.bits);
        if (c.cmd2 & OBITS) m &= ~(clrval & c.bits);
      }
      if (c.cmd2 & SET) {
        if (c.cmd2 & UBITS) m |= (value << 6) & c.bits;
        if (c.cmd2 & GBITS) m |= (value << 3) & c.bits;
        if (c.cmd2 & OBITS) m |= value & c.bits;
      }
    };
    for (const c of cmds) {
      switch (c.cmd) {
        case 'u': common(c, (m & RWXU) >> 6); break;
        case 'g': common(c, (m & RWXG) >> 3); break;
        case 'o': common(c, m & RWXO); break;
        case '+': m |= c.bits; break;
        case '-': m &= ~c.bits; break;
        case 'X': if ((omode & X_ALL) !== 0 || isDir) m |= c.bits; break;
      }
    }
    return m & 0o7777;
  };
}
