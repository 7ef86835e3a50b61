import type { Command } from 'commander';
import type { Platform } from '../../content/descriptor.js';
import { addInsecureRegistries } from '../../registry/hosts.js';
import { makeProgress } from '../../registry/progress.js';
import { pullImage } from '../../registry/pull.js';
import { parseReference } from '../../registry/reference.js';
import { globalsOf } from '../context.js';
import { UsageError } from '../errors.js';

export function parsePlatform(s: string): Platform {
  const [os, architecture, variant] = s.split('/');
  if (!os || !architecture) throw new UsageError(`invalid platform "${s}": expected os/arch[/variant]`);
  return { os, architecture, ...(variant ? { variant } : {}) };
}

export async function runPull(name: string, opts: { quiet?: boolean; platform: string; insecureRegistry: string[] }, cmd: Command): Promise<void> {
  const { root } = globalsOf(cmd);
  addInsecureRegistries(opts.insecureRegistry);
  const ref = parseReference(name);
  const out = process.stdout;
  if (!opts.quiet && parseReference(name, { defaultTag: false }).tag === undefined && ref.digest === undefined) {
    out.write('Using default tag: latest\n');
  }
  const result = await pullImage(name, {
    root,
    progress: makeProgress(out, { quiet: opts.quiet ?? false }),
    platform: parsePlatform(opts.platform),
  });
  out.write(`${result.reference.toString()}\n`);
}
