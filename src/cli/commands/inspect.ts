// `slipway inspect IMAGE...` / `image inspect`: a JSON array shaped like `docker image inspect`.
import type { ImageConfig } from '../../content/descriptor.js';
import { MultipleErrors, NoSuchImageError } from '../../store/errors.js';
import type { ImageRecord } from '../../store/image-record.js';
import { familiar } from '../../store/familiar.js';
import { imageSize } from '../../store/image-size.js';
import type { ImageStore } from '../../store/image-store.js';
import { openImageStore } from '../../store/open.js';
import { goJson, Template } from '../format/template.js';

const ZERO_TIME = '0001-01-01T00:00:00Z';

export async function runInspect(root: string, images: string[], opts: { format?: string }): Promise<void> {
  const store = openImageStore(root);
  const found: Record<string, unknown>[] = [];
  const errors: Error[] = [];
  for (const arg of images) {
    const record = await store.resolve(arg);
    if (!record) errors.push(new NoSuchImageError(arg));
    else found.push(await inspectImage(store, record));
  }
  if (opts.format) {
    const tmpl = Template.parse(opts.format.replace(/\\t/g, '\t').replace(/\\n/g, '\n'));
    process.stdout.write(found.map((o) => `${tmpl.execute(o)}\n`).join(''));
  } else {
    process.stdout.write(`${goJson(found, '    ')}\n`);
  }
  if (errors.length > 0) throw new MultipleErrors(errors);
}

export async function inspectImage(store: ImageStore, record: ImageRecord): Promise<Record<string, unknown>> {
  const { config, manifestDescriptor } = await store.load(record);
  const size = await imageSize(store, record);
  const out: Record<string, unknown> = {
    Id: record.id,
    RepoTags: record.tags.map(familiar),
    RepoDigests: record.digests.map(familiar),
    Parent: '',
    Comment: inspectComment(config),
    Created: config.created ?? ZERO_TIME,
    DockerVersion: typeof config.docker_version === 'string' ? config.docker_version : '',
    Author: config.author ?? '',
    Config: dockerContainerConfig(config.config),
    Architecture: config.architecture,
  };
  if (config.variant) out.Variant = config.variant;
  out.Os = config.os;
  if (config['os.version']) out.OsVersion = config['os.version'];
  out.Size = size;
  out.RootFS = { Type: 'layers', Layers: config.rootfs?.diff_ids ?? [] };
  out.Metadata = { LastTagTime: record.lastTagTime ?? ZERO_TIME };
  out.Descriptor = { mediaType: record.target.mediaType, digest: record.target.digest, size: record.target.size };
  if (manifestDescriptor.digest !== record.target.digest) (out.Descriptor as Record<string, unknown>).platformManifest = manifestDescriptor.digest;
  return out;
}

/** Docker's inspect falls back to the newest history entry's comment (BuildKit's `buildkit.dockerfile.v0`). */
function inspectComment(config: ImageConfig): string {
  if (typeof config.comment === 'string' && config.comment !== '') return config.comment;
  return config.history?.at(-1)?.comment ?? '';
}

/** Docker's container.Config JSON: every field present, in Docker's order. */
function dockerContainerConfig(c: ImageConfig['config']): Record<string, unknown> {
  const cfg = c ?? {};
  const out: Record<string, unknown> = {
    Hostname: '',
    Domainname: '',
    User: cfg.User ?? '',
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
  };
  if (cfg.ExposedPorts && Object.keys(cfg.ExposedPorts).length > 0) out.ExposedPorts = cfg.ExposedPorts;
  Object.assign(out, { Tty: false, OpenStdin: false, StdinOnce: false, Env: cfg.Env ?? null, Cmd: cfg.Cmd ?? null });
  if (cfg.Healthcheck) out.Healthcheck = cfg.Healthcheck;
  if (cfg.ArgsEscaped) out.ArgsEscaped = true;
  Object.assign(out, {
    Image: typeof cfg.Image === 'string' ? cfg.Image : '',
    Volumes: cfg.Volumes ?? null,
    WorkingDir: cfg.WorkingDir ?? '',
    Entrypoint: cfg.Entrypoint ?? null,
    OnBuild: cfg.OnBuild ?? null,
    Labels: cfg.Labels ?? null,
  });
  if (cfg.StopSignal) out.StopSignal = cfg.StopSignal;
  if (cfg.Shell) out.Shell = cfg.Shell;
  return out;
}
