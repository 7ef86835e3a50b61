// FROM resolution (BuildKit's resolveBaseImage): a base image's config is looked up before
// anything runs, and its source is pinned to `ref@digest`. Images without layers become
// scratch, as BuildKit does.
import { normalizeImageRef } from '../../../llb/image-ref.js';
import { image } from '../../../llb/sources.js';
import { scratch } from '../../../llb/state.js';
import { cloneImage, emptyImage } from '../image-config.js';
import type { ConvertContext } from './context.js';
import type { DispatchState } from './dispatch-state.js';
import { errorAt } from './located-error.js';
import type { ImageConfigResolver } from './options.js';
import { withSuggestion } from '../instructions/suggest.js';
import { formatPlatform } from './platform.js';
import { formatStep } from './progress-name.js';
import { locationOf } from './source-location.js';

export const EMPTY_IMAGE_NAME = 'scratch';

/** BuildKit's commonImageNames, offered as suggestions for a base that cannot be resolved. */
const COMMON_IMAGES = ['alpine', 'busybox', 'centos', 'debian', 'golang', 'ubuntu', 'fedora'].flatMap((n) => [
  n,
  `docker.io/library${n}`,
  `${n}:latest`,
  `docker.io/library${n}:latest`,
]);

/**
 * The stage's base as a normalized reference, or BuildKit's `failed to parse stage name` error.
 * BuildKit parses the base of every stage, built or not (resolveBaseImage runs for unreachable
 * stages too, and fails there before looking anything up).
 */
export function parseBaseName(ctx: ConvertContext, d: DispatchState): string {
  try {
    return normalizeImageRef(d.baseName);
  } catch (err) {
    throw errorAt(ctx.src, d.location, `failed to parse stage name ${JSON.stringify(d.baseName)}: ${(err as Error).message}`);
  }
}

export async function resolveBaseImage(ctx: ConvertContext, d: DispatchState, resolver: ImageConfigResolver): Promise<void> {
  d.resolved = true;
  const platform = d.platform ?? ctx.targetPlatform;
  d.platform = platform;
  if (d.baseName === EMPTY_IMAGE_NAME) {
    d.resolvedState = scratch().platform(platform);
    d.resolvedImage = emptyImage(ctx.targetPlatform);
    return;
  }
  const origName = d.baseName;
  const ref = parseBaseName(ctx, d);
  let resolved;
  try {
    resolved = await resolver(ref, { platform, resolveMode: ctx.imageResolveMode });
  } catch (err) {
    // A typo'd stage name ends up here as an image: suggest the stage, as BuildKit does.
    const options = [...ctx.states.names(), ...COMMON_IMAGES];
    throw errorAt(ctx.src, d.location, withSuggestion(`${origName}: ${(err as Error).message}`, origName, options, true));
  }
  d.baseImage = cloneImage(resolved.config);
  const img = cloneImage(resolved.config);
  delete img.created;
  const named = resolved.ref ? normalizeImageRef(resolved.ref) : ref;
  d.baseName = resolved.digest ? `${named.split('@')[0]}@${resolved.digest}` : named;

  if ((img.os && img.os !== platform.os) || (img.architecture && img.architecture !== platform.architecture)) {
    const actual = [img.os, img.architecture, img.variant].filter(Boolean).join('/');
    ctx.lint.run('InvalidBaseImagePlatform', `Base image ${origName} was pulled with platform ${JSON.stringify(actual)}, expected ${JSON.stringify(formatPlatform(platform))} for current build`, d.location);
  }
  const isScratch = (img.rootfs?.diff_ids ?? []).length === 0 && (img.history ?? []).every((h) => h.empty_layer);
  d.resolvedImage = img;
  if (isScratch) {
    d.resolvedState = scratch().platform(platform);
    return;
  }
  const text = `FROM ${d.baseName}`;
  d.fromSteps = d.cmdTotal > 0 ? 1 : 0;
  d.resolvedState = image(d.baseName, {
    platform,
    resolveMode: ctx.imageResolveMode,
    customName: d.cmdTotal > 0 ? formatStep(d.stageName, 1, d.cmdTotal, false, text) : text,
    description: { 'com.docker.dockerfile.v1.command': d.stage?.from.original ?? '' },
    location: locationOf(ctx, d.location),
  });
}
