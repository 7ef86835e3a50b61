import { logout, serverHost } from '../../registry/login.js';

export async function runLogout(server: string | undefined): Promise<void> {
  const host = serverHost(server);
  const removed = await logout(host);
  const shown = host === 'docker.io' ? 'https://index.docker.io/v1/' : host;
  process.stdout.write(removed ? `Removing login credentials for ${shown}\n` : `Not logged in to ${shown}\n`);
}
