// The CLI's front door: declares commands and flags, and loads each command's code only
// when that command runs (start-up time is part of the product, DESIGN.md principle 8).
import { Command, CommanderError } from 'commander';
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
    .exitOverride();
  registerBuild(program);
  registerDebug(program);
  registerPull(program);
  registerPush(program);
  registerLogin(program);
  registerLogout(program);
  registerImageCommands(program);
  return program;
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

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.exitCode = reportError(err);
  },
);
