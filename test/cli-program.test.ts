// The command tree a run declares: only the registrations its command needs, and exactly
// the same commands, options and help as the whole tree.
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { commandName, makeProgram, REGISTRATIONS } from '../src/cli/program.js';

const namesOf = (program: Command): string[] => program.commands.flatMap((c) => [c.name(), ...c.aliases()]).sort();

/** Every command's help, by its path (`image ls`), in a program. */
function helpByPath(program: Command): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (cmd: Command, path: string) => {
    for (const sub of cmd.commands) {
      const p = `${path} ${sub.name()}`.trim();
      out.set(p, sub.helpInformation());
      walk(sub, p);
    }
  };
  walk(program, '');
  return out;
}

describe('makeProgram', () => {
  it('each registration declares exactly the top-level names it is listed under', () => {
    for (const [names, register] of REGISTRATIONS) {
      const program = new Command('slipway');
      register(program);
      expect(namesOf(program)).toEqual([...new Set(names)].sort());
    }
  });

  it('with no command named, declares every command', () => {
    const all = [...new Set(REGISTRATIONS.flatMap(([names]) => names))].sort();
    expect(namesOf(makeProgram([]))).toEqual(all);
    expect(namesOf(makeProgram(['--help']))).toEqual(all);
    expect(namesOf(makeProgram(['no-such-command']))).toEqual(all);
  });

  it('for a named command, declares it (and only what declares that name) with the same help as the whole tree', () => {
    const full = helpByPath(makeProgram());
    expect(full.get('build')).toContain('--network <mode>');
    for (const name of namesOf(makeProgram())) {
      const program = makeProgram(['--root', '/r', name]);
      expect(namesOf(program)).toContain(name);
      if (name === 'build') expect(namesOf(program)).toEqual(['build']);
      for (const [path, help] of helpByPath(program)) {
        if (path === name || path.startsWith(`${name} `)) expect(help, path).toBe(full.get(path));
      }
    }
  });

  it('finds the command name after the program options', () => {
    expect(commandName(['build', '.'])).toBe('build');
    expect(commandName(['--root', '/r', '-D', 'build', '-t', 'x', '.'])).toBe('build');
    expect(commandName(['--root=/r', '--debug', 'images'])).toBe('images');
    expect(commandName(['--root', 'build'])).toBeUndefined(); // build is --root's value
    expect(commandName(['-v'])).toBeUndefined();
    expect(commandName(['--help', 'build'])).toBeUndefined();
    expect(commandName(['-Dv', 'build'])).toBeUndefined();
    expect(commandName(['--', 'build'])).toBeUndefined();
    expect(commandName([])).toBeUndefined();
  });
});
