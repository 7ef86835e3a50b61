import type { Command } from 'commander';
import { createInterface } from 'node:readline';
import { configPath } from '../../registry/credentials.js';
import { addInsecureRegistries } from '../../registry/hosts.js';
import { login, serverHost } from '../../registry/login.js';
import { UsageError } from '../errors.js';
import type { LoginFlags } from './login.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/[\r\n]+$/, '');
}

/** Asks on the terminal; `hidden` stops the answer from being echoed. */
function prompt(question: string, hidden: boolean): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
    if (hidden) {
      const write = (rl as unknown as { _writeToOutput: (s: string) => void });
      write._writeToOutput = (s: string) => {
        if (s.startsWith(question)) process.stdout.write(question);
      };
    }
    rl.question(question, (answer) => {
      rl.close();
      if (hidden) process.stdout.write('\n');
      resolve(answer);
    });
  });
}

export async function runLogin(server: string | undefined, opts: LoginFlags, _cmd: Command): Promise<void> {
  addInsecureRegistries(opts.insecureRegistry);
  const host = serverHost(server);
  let { username, password } = opts;
  if (opts.passwordStdin) {
    if (password !== undefined) throw new UsageError('--password and --password-stdin are mutually exclusive');
    if (!username) throw new UsageError('Must provide --username with --password-stdin');
    password = await readStdin();
  } else if (password !== undefined) {
    process.stderr.write('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
  }
  if (username === undefined || password === undefined) {
    if (!process.stdin.isTTY) throw new UsageError('Cannot perform an interactive login from a non TTY device');
    username ??= await prompt('Username: ', false);
    password ??= await prompt('Password: ', true);
  }
  if (!username) throw new UsageError('Username cannot be empty');
  if (!password) throw new UsageError('Password cannot be empty');
  const where = await login(host, { username, password });
  if (where === configPath()) {
    process.stderr.write(`WARNING! Your password will be stored unencrypted in ${where}.\n`);
  }
  process.stdout.write('Login Succeeded\n');
}
