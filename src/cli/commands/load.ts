// `slipway load [-i FILE]`: docker-archive or OCI archive, gzipped or not.
import { loadArchive } from '../../store/archive-reader.js';
import { decompressed, openSource } from '../../store/archive-input.js';
import { ImageCommandError } from '../../store/errors.js';
import { familiar } from '../../store/familiar.js';
import { openImageStore } from '../../store/open.js';

export async function runLoad(root: string, opts: { input?: string; quiet?: boolean }): Promise<void> {
  if (!opts.input && process.stdin.isTTY) throw new ImageCommandError('requested load from stdin, but stdin is empty');
  const store = openImageStore(root);
  const loaded = await loadArchive(store, await decompressed(await openSource(opts.input)));
  if (opts.quiet) return;
  let out = '';
  for (const e of loaded) {
    for (const { name, previous } of e.replaced) {
      out += `The image ${familiar(name)} already exists, renaming the old one with ID ${previous.id} to empty string\n`;
    }
    if (e.names.length === 0) out += `Loaded image ID: ${e.id}\n`;
    for (const n of e.names) out += `Loaded image: ${familiar(n)}\n`;
  }
  process.stdout.write(out);
}
