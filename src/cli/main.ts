// The CLI's front door: declares commands and flags, and loads each command's code only
// when that command runs (start-up time is part of the product, DESIGN.md principle 8).
import { Command, CommanderError, Option } from 'commander';
import { registerBuild } from './commands/build.js';
import { registerDebug } from './commands/debug.js';
import { registerPull } from './commands/pull.js';
import { registerPush } from './commands/push.js';
import { registerLogin } from './commands/login.js';
import { registerLogout } from './commands/logout.js';
import { registerImageCommands } from './commands/images-register.js';
import { reportError } from './errors.js';

declare const SLIPWAY_VERSION: string;
const version = typeof SLIPWAY_VERSION === 'string' ? SLIPWAY_VERSION : '0.0.0-dev';

export function makeProgram(): Command {
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
  registerBuild(program);
  registerDebug(program);
  registerPull(program);
  registerPush(program);
  registerLogin(program);
  registerLogout(program);
  registerImageCommands(program);
  for (const cmd of program.commands) acceptGlobalOptions(cmd);
  return program;
}

/** Every command also takes --root and --debug after its name (`slipway build --root DIR .`). */
function acceptGlobalOptions(cmd: Command): void {
  const has = (flag: string) => cmd.options.some((o) => o.long === flag);
  if (!has('--root')) cmd.addOption(new Option('--root <dir>', 'Where the store and cache live (env SLIPWAY_ROOT)'));
  if (!has('--debug')) cmd.addOption(new Option('-D, --debug', 'Print stack traces for errors'));
  for (const sub of cmd.commands) acceptGlobalOptions(sub);
}

export async function main(argv: string[]): Promise<number> {
  const program = makeProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end through here with exit code 0; usage errors get 2.
      return err.exitCode === 0 ? 0 : 2;
    }
    if (process.argv.includes('--debug') || process.argv.includes('-D')) console.error(err);
    return reportError(err);
  }
}

// `slipway images | head -1` closes our stdout early: that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.exitCode = reportError(err);
  },
);
