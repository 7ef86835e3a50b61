import type { Command } from 'commander';
import { collectHost } from '../../registry/hosts.js';

/** `slipway login [-u U] [-p P | --password-stdin] [SERVER]` (docker login). */
export function registerLogin(program: Command): void {
  program
    .command('login')
    .description('Log in to a registry (credentials go to $DOCKER_CONFIG/config.json)')
    .argument('[server]', 'Registry host (default: Docker Hub)')
    .option('-u, --username <username>', 'Username')
    .option('-p, --password <password>', 'Password')
    .option('--password-stdin', 'Take the password from stdin')
    .option('--insecure-registry <host>', 'Use plain HTTP for this registry (repeatable)', collectHost, [])
    .action(async (server: string | undefined, opts: LoginFlags, cmd: Command) => {
      const { runLogin } = await import('./login-run.js');
      await runLogin(server, opts, cmd);
    });
}

export interface LoginFlags {
  username?: string;
  password?: string;
  passwordStdin?: boolean;
  insecureRegistry: string[];
}
