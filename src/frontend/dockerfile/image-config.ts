// The image config (OCI `application/vnd.oci.image.config.v1+json`, with Docker's
// extensions) as the Dockerfile converter builds it and the exporters write it.
// Field names are the JSON names; `config` lists them in the order BuildKit's Go struct
// marshals them (dockerspec.DockerOCIImageConfig), which `imageToJSON` reproduces.

/** Docker's HEALTHCHECK settings; durations are integer nanoseconds (Go time.Duration). */
export interface HealthConfig {
  /** `[]` inherit, `["NONE"]` disable, `["CMD", …]` exec, `["CMD-SHELL", cmd]` shell. */
  Test?: string[];
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
}

/** The `config` object: OCI ImageConfig plus Docker's Healthcheck, OnBuild and Shell. */
export interface ImageRunConfig {
  User?: string;
  /** Keys are `port/proto` (`80/tcp`), values `{}`. */
  ExposedPorts?: Record<string, Record<string, never>>;
  Env?: string[];
  Entrypoint?: string[];
  Cmd?: string[];
  Volumes?: Record<string, Record<string, never>>;
  WorkingDir?: string;
  Labels?: Record<string, string>;
  StopSignal?: string;
  /** Deprecated in OCI, kept for Docker: set by CMD (and inherited), as BuildKit does. */
  ArgsEscaped?: boolean;
  Healthcheck?: HealthConfig;
  /** null once the triggers have run in a child (never written when empty). */
  OnBuild?: string[] | null;
  Shell?: string[];
}

export interface HistoryEntry {
  /** RFC 3339; absent until the exporter stamps it (or SOURCE_DATE_EPOCH fixes it). */
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

export interface RootFS {
  type: string;
  diff_ids: string[];
}

/** A whole image config document. */
export interface Image {
  created?: string;
  author?: string;
  architecture: string;
  os: string;
  'os.version'?: string;
  'os.features'?: string[];
  variant?: string;
  config: ImageRunConfig;
  rootfs: RootFS;
  history?: HistoryEntry[];
}

/** The `history[].comment` BuildKit's Dockerfile frontend writes. */
export const HISTORY_COMMENT = 'buildkit.dockerfile.v0';

/** PATH that BuildKit sets when the base image has none (system.DefaultPathEnv for unix). */
export const DEFAULT_PATH_ENV = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The config of `FROM scratch` (BuildKit's emptyImage). */
export function emptyImage(platform: { os: string; architecture: string; variant?: string }): Image {
  const img: Image = {
    architecture: platform.architecture,
    os: platform.os,
    config: { WorkingDir: '/', Env: [`PATH=${DEFAULT_PATH_ENV}`] },
    rootfs: { type: 'layers', diff_ids: [] },
  };
  if (platform.variant) img.variant = platform.variant;
  return img;
}

/** A deep copy, so that a child stage never mutates its parent's config. */
export function cloneImage(img: Image): Image {
  return structuredClone(img);
}

const CONFIG_ORDER: (keyof ImageRunConfig)[] = [
  'User',
  'ExposedPorts',
  'Env',
  'Entrypoint',
  'Cmd',
  'Volumes',
  'WorkingDir',
  'Labels',
  'StopSignal',
  'ArgsEscaped',
  'Healthcheck',
  'OnBuild',
  'Shell',
];
const IMAGE_KEYS = new Set<string>(['created', 'author', 'architecture', 'os', 'os.version', 'os.features', 'variant', 'config', 'rootfs', 'history']);
const HEALTH_ORDER: (keyof HealthConfig)[] = ['Test', 'Interval', 'Timeout', 'StartPeriod', 'StartInterval', 'Retries'];
const HISTORY_ORDER: (keyof HistoryEntry)[] = ['created', 'created_by', 'author', 'comment', 'empty_layer'];

function isEmpty(v: unknown): boolean {
  if (v === undefined || v === '' || v === false || v === 0) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (v && typeof v === 'object') return Object.keys(v).length === 0;
  return false;
}

function sortedMap<T>(m: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const k of Object.keys(m).sort()) out[k] = m[k] as T;
  return out;
}

/**
 * The config document as BuildKit's image exporter writes it: top-level keys sorted (it
 * patches the config as a Go map), `config` in struct field order with Go's `omitempty`,
 * maps with sorted keys, Go's HTML escaping. Exporters hash this text.
 */
export function imageToJSON(img: Image): string {
  const config: Record<string, unknown> = {};
  for (const k of CONFIG_ORDER) {
    let v: unknown = img.config[k];
    if (isEmpty(v) || v === null) continue;
    if (k === 'Healthcheck') {
      const h: Record<string, unknown> = {};
      for (const hk of HEALTH_ORDER) if (!isEmpty((v as HealthConfig)[hk])) h[hk] = (v as HealthConfig)[hk];
      v = h;
    } else if (k === 'ExposedPorts' || k === 'Volumes' || k === 'Labels') {
      v = sortedMap(v as Record<string, unknown>);
    }
    config[k] = v;
  }
  const out: Record<string, unknown> = {};
  // Only the fields of BuildKit's dockerspec.DockerOCIImage: a base image's other top-level
  // keys (`container_config`, `docker_version`, … from the classic builder) are dropped
  // when BuildKit decodes it, as are unknown keys inside `config`.
  for (const k of (Object.keys(img) as (keyof Image)[]).filter((key) => IMAGE_KEYS.has(key)).sort()) {
    const v = img[k];
    if (k === 'config') out[k] = config;
    else if (k === 'rootfs') out[k] = { type: img.rootfs.type, diff_ids: img.rootfs.diff_ids };
    else if (k === 'history') {
      if (!img.history?.length) continue;
      out[k] = img.history.map((h) => {
        const e: Record<string, unknown> = {};
        for (const hk of HISTORY_ORDER) if (!isEmpty(h[hk])) e[hk] = h[hk];
        return e;
      });
    } else if (!isEmpty(v)) out[k] = v;
  }
  return goJSONEscape(JSON.stringify(out));
}

/** Go's encoding/json escapes these for HTML safety; matching it keeps config digests equal. */
function goJSONEscape(json: string): string {
  return json.replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}
