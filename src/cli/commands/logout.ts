import type { Command } from 'commander';

/** `slipway logout [SERVER]` (docker logout). */
export function registerLogout(program: Command): void {
  program
    .command('logout')
    .description('Log out from a registry')
    .argument('[server]', 'Registry host (default: Docker Hub)')
    .action(async (server: string | undefined) => {
      const { runLogout } = await import('./logout-run.js');
      await runLogout(server);
    });
}
