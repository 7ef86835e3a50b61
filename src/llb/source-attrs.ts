// Source op attribute keys, spelled as BuildKit's solver/pb/attr.go so definitions read the same.

export const SourceAttr = {
  // git
  GitKeepDir: 'git.keepgitdir',
  GitFullURL: 'git.fullurl',
  GitAuthHeaderSecret: 'git.authheadersecret',
  GitAuthTokenSecret: 'git.authtokensecret',
  GitKnownSSHHosts: 'git.knownsshhosts',
  GitMountSSHSock: 'git.mountsshsock',
  GitChecksum: 'git.checksum',
  GitSkipSubmodules: 'git.skipsubmodules',
  // local
  LocalSessionID: 'local.session',
  LocalUniqueID: 'local.unique',
  LocalIncludePatterns: 'local.includepattern',
  LocalExcludePatterns: 'local.excludepatterns',
  LocalFollowPaths: 'local.followpaths',
  LocalSharedKeyHint: 'local.sharedkeyhint',
  LocalDiffer: 'local.differ',
  // http
  HTTPChecksum: 'http.checksum',
  HTTPFilename: 'http.filename',
  HTTPPerm: 'http.perm',
  HTTPUID: 'http.uid',
  HTTPGID: 'http.gid',
  HTTPAuthHeaderSecret: 'http.authheadersecret',
  HTTPHeaderPrefix: 'http.header.',
  // docker-image
  ImageResolveMode: 'image.resolvemode',
  ImageRecordType: 'image.recordtype',
  ImageLayerLimit: 'image.layerlimit',
  ImageChecksum: 'image.checksum',
  // oci-layout
  OCILayoutSessionID: 'oci.session',
  OCILayoutStoreID: 'oci.store',
  OCILayoutLayerLimit: 'oci.layerlimit',
} as const;

/** Values of image.resolvemode. */
export type ResolveMode = 'default' | 'pull' | 'local';

/** Identifier schemes. */
export const SourceScheme = {
  Image: 'docker-image://',
  Local: 'local://',
  Git: 'git://',
  OCILayout: 'oci-layout://',
  HTTP: 'http://',
  HTTPS: 'https://',
} as const;
