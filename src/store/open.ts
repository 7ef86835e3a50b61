import { ContentStore } from '../content/store.js';
import { ImageStore } from './image-store.js';

/** The content store and image store of a --root. */
export function openImageStore(root: string): ImageStore {
  return new ImageStore(root, new ContentStore(root));
}
