// `slipway import file|URL|- [REPOSITORY[:TAG]]`: prints the new image ID.
import { InvalidReferenceError } from '../../registry/reference.js';
import { decompressed, openSource } from '../../store/archive-input.js';
import { ImageCommandError } from '../../store/errors.js';
import { importRootfs } from '../../store/import-rootfs.js';
import { openImageStore } from '../../store/open.js';

export async function runImport(
  root: string,
  source: string,
  repository: string | undefined,
  opts: { change?: string[]; message?: string; platform?: string },
): Promise<void> {
  const store = openImageStore(root);
  try {
    const input = await decompressed(await openSource(source));
    const result = await importRootfs(store, input, {
      ...(repository !== undefined ? { name: repository } : {}),
      changes: opts.change ?? [],
      ...(opts.message !== undefined ? { message: opts.message } : {}),
      ...(opts.platform !== undefined ? { platform: opts.platform } : {}),
      ...(process.env.SOURCE_DATE_EPOCH ? { created: new Date(Number(process.env.SOURCE_DATE_EPOCH) * 1000).toISOString() } : {}),
    });
    process.stdout.write(`${result.id}\n`);
  } catch (err) {
    if (err instanceof InvalidReferenceError) throw new ImageCommandError(err.message);
    throw err;
  }
}
