// The command tree. A run declares only the commands it can reach: `slipway build …` does
// not build the other thirty commands and their options (a few ms of a cached build).
import { Command, Option } from 'commander';
import { registerBuild } from './commands/build.js';
import { registerDebug } from './commands/debug.js';
import { registerPull } from './commands/pull.js';
import { registerPush } from './commands/push.js';
import { registerLogin } from './commands/login.js';
import { registerLogout } from './commands/logout.js';
import { registerImageCommands } from './commands/images-register.js';
import { registerBuilderCommands } from './commands/builder-register.js';
import { registerVersion } from './commands/version.js';

declare const SLIPWAY_VERSION: string;
const version = typeof SLIPWAY_VERSION === 'string' ? SLIPWAY_VERSION : '0.0.0-dev';

/** Each registration with the top-level command names it declares (test/cli-program.test.ts checks them). */
export const REGISTRATIONS: ReadonlyArray<readonly [names: readonly string[], register: (program: Command) => void]> = [
  [['build'], registerBuild],
  [['debug'], registerDebug],
  [['pull'], registerPull],
  [['push'], registerPush],
  [['login'], registerLogin],
  [['logout'], registerLogout],
  [['image', 'images', 'tag', 'rmi', 'history', 'inspect', 'save', 'load', 'import', 'system'], registerImageCommands],
  [['builder', 'system'], registerBuilderCommands],
  [['version'], registerVersion],
];

/**
 * The program for these arguments (process.argv without node and the script): the
 * registrations that declare the command they name, or all of them when they name none
 * (--help, --version, `help`, an unknown command: those list or suggest every command).
 */
export function makeProgram(args?: readonly string[]): Command {
  const program = new Command('slipway')
    .description('Daemonless container image builder: Dockerfile + context -> OCI image')
    .version(`slipway ${version}`, '-v, --version', 'Print the version and exit')
    .option('--root <dir>', 'Where the store and cache live (env SLIPWAY_ROOT; default $XDG_DATA_HOME/slipway or ~/.local/share/slipway)')
    .option('-D, --debug', 'Print stack traces for errors')
    .showHelpAfterError('(run with --help for usage)')
    // Program options only before the command name, so that a command's own short flags
    // win after it (`system df -v` is --verbose, as in Docker; `slipway -v` is the version).
    .enablePositionalOptions()
    .exitOverride();
  const name = args && commandName(args);
  const named = REGISTRATIONS.filter(([names]) => name !== undefined && names.includes(name));
  for (const [, register] of named.length ? named : REGISTRATIONS) register(program);
  for (const cmd of program.commands) acceptGlobalOptions(cmd);
  return program;
}

/**
 * The command name commander will dispatch on: the first argument after the program's own
 * options (--root DIR, --root=DIR, -D, --debug). Anything else first (-v, --help, --, a
 * combined -Dv) is undefined: then the program is the whole tree, as commander sees it.
 */
export function commandName(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--root') i++;
    else if (!(arg.startsWith('--root=') || arg === '-D' || arg === '--debug')) return arg.startsWith('-') ? undefined : arg;
  }
  return undefined;
}

/** Every command also takes --root and --debug after its name (`slipway build --root DIR .`). */
function acceptGlobalOptions(cmd: Command): void {
  const has = (flag: string) => cmd.options.some((o) => o.long === flag);
  if (!has('--root')) cmd.addOption(new Option('--root <dir>', 'Where the store and cache live (env SLIPWAY_ROOT)'));
  if (!has('--debug')) cmd.addOption(new Option('-D, --debug', 'Print stack traces for errors'));
  for (const sub of cmd.commands) acceptGlobalOptions(sub);
}
