// Instruction flags (`--from=x`, `--link`), after BuildKit's BFlags: each instruction
// declares the flags it accepts, then `parse()` checks the words the parser kept.

import { InstructionSyntaxError } from './syntax-error.js';
import { withSuggestion } from './suggest.js';

type FlagKind = 'bool' | 'string' | 'strings';

export class Flag {
  /** Bool flags: 'true' / 'false'; string flags: the last value given (or the default). */
  value: string;
  /** Every value given, in order (repeatable flags such as --mount and --exclude). */
  readonly values: string[] = [];
  used = false;

  constructor(
    readonly name: string,
    readonly kind: FlagKind,
    initial: string,
  ) {
    this.value = initial;
  }

  get isTrue(): boolean {
    return this.value === 'true';
  }
}

export class BFlags {
  private readonly flags = new Map<string, Flag>();

  /** `args` are the flag words as the parser kept them (`--chown=1:1`, `--link`). */
  constructor(readonly args: readonly string[]) {}

  addBool(name: string, def = false): Flag {
    return this.add(name, 'bool', def ? 'true' : 'false');
  }

  addString(name: string, def = ''): Flag {
    return this.add(name, 'string', def);
  }

  /** A repeatable string flag. */
  addStrings(name: string): Flag {
    return this.add(name, 'strings', '');
  }

  private add(name: string, kind: FlagKind, initial: string): Flag {
    // Declaring a flag twice is a programming error, not a user error.
    if (this.flags.has(name)) throw new Error(`duplicate flag defined: ${name}`);
    const flag = new Flag(name, kind, initial);
    this.flags.set(name, flag);
    return flag;
  }

  /** Names of the flags that were given, in declaration order. */
  used(): string[] {
    return [...this.flags.values()].filter((f) => f.used).map((f) => f.name);
  }

  /** Check every flag word against the declared flags and record the values. */
  parse(): void {
    for (const word of this.args) {
      // POSIX end of options; the parser normally drops it already.
      if (word === '--') return;
      if (!word.startsWith('--')) throw new InstructionSyntaxError(`arg should start with -- : ${word}`);
      const eq = word.indexOf('=');
      const hasValue = eq >= 0;
      const flagName = hasValue ? word.slice(0, eq) : word;
      const value = hasValue ? word.slice(eq + 1) : '';
      const name = flagName.slice(2);

      const flag = this.flags.get(name);
      if (!flag) throw new InstructionSyntaxError(this.unknownFlagMessage(flagName, name));
      if (flag.used && flag.kind !== 'strings') {
        throw new InstructionSyntaxError(`duplicate flag specified: ${flagName}`);
      }
      flag.used = true;

      switch (flag.kind) {
        case 'bool': {
          // A bare `--link` means true; `--link=` is an error.
          if (hasValue && value === '') throw new InstructionSyntaxError(`missing a value on flag: ${flagName}`);
          const lower = value.toLowerCase();
          if (lower === '' || lower === 'true') flag.value = 'true';
          else if (lower === 'false') flag.value = 'false';
          else throw new InstructionSyntaxError(`expecting boolean value for flag ${flagName}, not: ${value}`);
          break;
        }
        case 'string':
        case 'strings':
          if (!hasValue) throw new InstructionSyntaxError(`missing a value on flag: ${flagName}`);
          flag.value = value;
          flag.values.push(value);
          break;
      }
    }
  }

  /** BuildKit's message and suggestion, plus the list of flags this instruction allows. */
  private unknownFlagMessage(flagName: string, name: string): string {
    const names = [...this.flags.keys()];
    const base = withSuggestion(`unknown flag: ${flagName}`, name, names, true);
    const allowed = names.length ? names.map((n) => `--${n}`).join(', ') : 'none';
    return `${base} (allowed: ${allowed})`;
  }
}
