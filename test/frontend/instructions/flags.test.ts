import { describe, expect, it } from 'vitest';
import { BFlags, InstructionSyntaxError, parseInstruction } from '../../../src/frontend/dockerfile/instructions/index.js';
import { FILE, errorOf, makeNode, parse, reasonOf } from './helpers.js';

function parsed(args: string[], declare: (bf: BFlags) => void): BFlags {
  const bf = new BFlags(args);
  declare(bf);
  bf.parse();
  return bf;
}

function failure(args: string[], declare: (bf: BFlags) => void): string {
  const bf = new BFlags(args);
  declare(bf);
  try {
    bf.parse();
  } catch (err) {
    expect(err).toBeInstanceOf(InstructionSyntaxError);
    return (err as Error).message;
  }
  throw new Error('expected parse() to fail');
}

describe('BFlags (after BuildKit bflag_test.go)', () => {
  it('parses bool, string and repeatable string flags', () => {
    const bf = new BFlags(['--str1=BVal', '--bool1', '--bool2=false', '--many=a', '--many=b']);
    const str1 = bf.addString('str1', 'def');
    const str2 = bf.addString('str2', 'def2');
    const bool1 = bf.addBool('bool1');
    const bool2 = bf.addBool('bool2', true);
    const bool3 = bf.addBool('bool3', true);
    const many = bf.addStrings('many');
    bf.parse();
    expect(str1.value).toBe('BVal');
    expect(str2.value).toBe('def2');
    expect(bool1.isTrue).toBe(true);
    expect(bool2.isTrue).toBe(false);
    expect(bool3.isTrue).toBe(true);
    expect(many.values).toEqual(['a', 'b']);
    expect(bf.used()).toEqual(['str1', 'bool1', 'bool2', 'many']);
  });

  it('accepts true/false in any case for bool flags', () => {
    const bf = new BFlags(['--a=TRUE', '--b=False']);
    const a = bf.addBool('a');
    const b = bf.addBool('b', true);
    bf.parse();
    expect([a.value, b.value]).toEqual(['true', 'false']);
  });

  it('allows an empty value for a string flag given with =', () => {
    const bf = parsed(['--s='], (f) => f.addString('s', 'x'));
    expect(bf.used()).toEqual(['s']);
  });

  it('stops at a bare --', () => {
    const bf = new BFlags(['--a', '--', '--unknown']);
    const a = bf.addBool('a');
    bf.parse();
    expect(a.isTrue).toBe(true);
  });

  it('reports BuildKit\'s errors', () => {
    expect(failure(['--str1'], (f) => f.addString('str1'))).toBe('missing a value on flag: --str1');
    expect(failure(['--many'], (f) => f.addStrings('many'))).toBe('missing a value on flag: --many');
    expect(failure(['--bool1='], (f) => f.addBool('bool1'))).toBe('missing a value on flag: --bool1');
    expect(failure(['--bool1=yes'], (f) => f.addBool('bool1'))).toBe('expecting boolean value for flag --bool1, not: yes');
    expect(failure(['--str1=a', '--str1=b'], (f) => f.addString('str1'))).toBe('duplicate flag specified: --str1');
    expect(failure(['--bool1', '--bool1'], (f) => f.addBool('bool1'))).toBe('duplicate flag specified: --bool1');
    expect(failure(['-x'], (f) => f.addBool('x'))).toBe('arg should start with -- : -x');
  });

  it('names an unknown flag, suggests a close one and lists the allowed ones', () => {
    const declare = (f: BFlags): void => {
      f.addString('from');
      f.addBool('link');
    };
    expect(failure(['--form=x'], declare)).toBe('unknown flag: --form (did you mean from?) (allowed: --from, --link)');
    expect(failure(['--nothing-like-it'], declare)).toBe('unknown flag: --nothing-like-it (allowed: --from, --link)');
    expect(failure(['--x'], () => undefined)).toBe('unknown flag: --x (allowed: none)');
  });

  it('rejects declaring a flag twice (a programming error)', () => {
    const bf = new BFlags([]);
    bf.addBool('a');
    expect(() => bf.addString('a')).toThrow('duplicate flag defined: a');
  });
});

describe('flags per instruction', () => {
  it('lists each instruction\'s allowed flags when one is unknown', () => {
    expect(reasonOf('COPY --bogus a b')).toBe(
      'unknown flag: --bogus (allowed: --chown, --chmod, --from, --link, --parents, --exclude)',
    );
    expect(reasonOf('ADD --from=x a b')).toBe(
      'unknown flag: --from (allowed: --chown, --chmod, --link, --exclude, --keep-git-dir, --checksum, --unpack)',
    );
    expect(reasonOf('RUN --mnt=type=cache,target=/x true')).toBe(
      'unknown flag: --mnt (did you mean mount?) (allowed: --mount, --network, --security)',
    );
    expect(reasonOf('FROM --platfrom=linux/amd64 alpine')).toBe(
      'unknown flag: --platfrom (did you mean platform?) (allowed: --platform)',
    );
    expect(reasonOf('HEALTHCHECK --intervl=5s CMD true')).toBe(
      'unknown flag: --intervl (did you mean interval?) (allowed: --interval, --timeout, --start-period, --start-interval, --retries)',
    );
    for (const line of ['ENV --x a=b', 'LABEL --x a=b', 'MAINTAINER --x me', 'WORKDIR --x /a', 'USER --x me', 'EXPOSE --x 80', 'VOLUME --x /v', 'CMD --x a', 'ENTRYPOINT --x a', 'SHELL --x ["sh"]', 'ONBUILD --x RUN a']) {
      expect(reasonOf(line), line).toBe('unknown flag: --x (allowed: none)');
    }
  });

  it('ignores flags where BuildKit never parses them (ARG, STOPSIGNAL, HEALTHCHECK NONE)', () => {
    expect(parse('ARG --whatever A=1', 'arg').args).toEqual([{ key: 'A', value: '1', comment: '' }]);
    expect(parse('STOPSIGNAL --whatever SIGTERM', 'stopsignal').signal).toBe('SIGTERM');
    expect(parse('HEALTHCHECK --whatever NONE', 'healthcheck').health.test).toEqual(['NONE']);
  });

  it('checks argument counts before flags where BuildKit does', () => {
    expect(reasonOf('COPY --foo a')).toBe(
      'COPY requires at least two arguments, but only one was provided. Destination could not be determined',
    );
    expect(reasonOf('FROM --foo a b')).toBe('FROM requires either one or three arguments');
    // The parser gives WORKDIR the whole rest as one argument, so build the node by hand.
    const node = makeNode('workdir', ['a', 'b'], { flags: ['--foo'] });
    expect(errorOf(() => parseInstruction(node, { file: FILE, source: node.original })).reason).toBe(
      'WORKDIR requires exactly one argument',
    );
  });
});
