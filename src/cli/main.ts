// The CLI's front door: builds the command tree (program.ts, only the part the arguments
// reach) and runs it; each command loads its code only when it runs (start-up time is part
// of the product, DESIGN.md principle 8).
import { CommanderError } from 'commander';
import { makeProgram } from './program.js';
import { reportError } from './errors.js';
import { whenStdoutCreated } from './stdio.js';

export async function main(argv: string[]): Promise<number> {
  const program = makeProgram(argv.slice(2));
  try {
    await program.parseAsync(argv);
    // A command that ends normally with a status of its own (build --check's failed checks).
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
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
whenStdoutCreated((stdout) => stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
}));

main(process.argv).then(
  (code) => {
    process.exitCode = code;
    exitWhenIdle();
  },
  (err) => {
    process.exitCode = reportError(err);
    exitWhenIdle();
  },
);

/**
 * Once the event loop is empty Node would exit anyway, after tearing down the environment
 * and the heap (~2 ms of a fully cached build): exit at once then. Anything still pending
 * (a child's pipes, a timer, a write) keeps the usual exit; 'exit' handlers run either way
 * ('beforeExit' is not used here).
 */
function exitWhenIdle(): void {
  setImmediate(() => {
    if (process.getActiveResourcesInfo().length === 0) process.exit();
  });
}
