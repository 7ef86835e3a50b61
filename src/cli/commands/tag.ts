// `slipway tag SOURCE TARGET` / `image tag`.
import { InvalidReferenceError, parseReference } from '../../registry/reference.js';
import { ImageCommandError, NoSuchImageError } from '../../store/errors.js';
import { displayName } from '../../store/familiar.js';
import { openImageStore } from '../../store/open.js';

export async function runTag(root: string, source: string, target: string): Promise<void> {
  let name: string;
  try {
    const ref = parseReference(target);
    if (ref.digest !== undefined) throw new InvalidReferenceError(target, 'refusing to create a tag with a digest reference');
    name = ref.toString();
  } catch (err) {
    throw new ImageCommandError(`Error parsing reference: "${target}" is not a valid repository/tag: ${(err as Error).message}`);
  }
  const store = openImageStore(root);
  const record = await store.resolve(source);
  if (!record) throw new NoSuchImageError(displayName(source));
  await store.tag(name, record.target);
}
