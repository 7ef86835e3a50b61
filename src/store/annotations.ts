// Annotation keys on `<root>/store/index.json` entries.

/** Full normalized reference: `docker.io/library/busybox:latest` (containerd's key). */
export const IMAGE_NAME = 'io.containerd.image.name';
/** The tag part of the name (OCI image layout's key). */
export const REF_NAME = 'org.opencontainers.image.ref.name';
/** The image ID (config digest), cached so listing needs no manifest reads. */
export const IMAGE_ID = 'vnd.slipway.image.id';
/** The config's `created`, cached for the same reason. */
export const IMAGE_CREATED = 'vnd.slipway.image.created';
/** When this name was last pointed at this image (docker inspect's Metadata.LastTagTime). */
export const TAG_TIME = 'vnd.slipway.image.tagged';
/** "true" when the manifest came from the registry under this name (gives a RepoDigest). */
export const FROM_REGISTRY = 'vnd.slipway.image.from-registry';
