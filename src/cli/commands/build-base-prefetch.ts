// Base images a Dockerfile will certainly look up, found by a plain scan of its text, so that
// their metadata requests (local store, else registry manifest + config) go out while the
// converter's code loads and the Dockerfile is parsed: on a cold build the registry round
// trips then overlap ~15 ms of start-up work instead of following it.
//
// The scan is deliberately narrow: any construct it does not follow exactly (heredocs, an
// escape directive, `$` in a name, FROM flags, an unknown --target) leaves the base out, and
// the converter looks it up itself as before. Only stages
// reachable from the target (FROM <stage>, COPY/ADD --from=, RUN --mount=…from=) are
// followed, as the converter does, so a stage the build does not need costs no request.

import type { Platform } from '../../content/descriptor.js';
import { LINUX_AMD64 } from '../../frontend/dockerfile/convert/platform.js';
import { normalizeImageRef } from '../../llb/image-ref.js';
import { resolveImageConfig, type ResolvedImageConfig } from '../../registry/resolve-config.js';
import { requestSent } from '../../registry/request-sent.js';

/** Lookups started before the conversion, by normalized reference. */
export class BasePrefetch {
  private readonly started = new Map<string, { lookup: Promise<ResolvedImageConfig>; stop: AbortController }>();
  /** The first registry request of the lookups reached the kernel (waited for only when there are lookups). */
  private readonly sent: Promise<void> | undefined;

  /**
   * Starts the lookups of the bases `text` certainly needs, as the converter would make them
   * for a build without --platform (the default platform, no --pull).
   */
  constructor(text: string, target: string | undefined, root: string) {
    const bases = prefetchableBases(text, target);
    // Listening before the lookups start: their first request may go out on their first turn.
    this.sent = bases.length ? requestSent() : undefined;
    for (const written of bases) {
      let ref: string;
      try {
        ref = normalizeImageRef(written);
      } catch {
        continue; // the converter reports it
      }
      const stop = new AbortController();
      const lookup = resolveImageConfig(ref, { root, platform: { ...LINUX_AMD64 }, pull: false, signal: stop.signal });
      lookup.catch(() => undefined); // its error reaches the build through take(), or nobody needs it
      this.started.set(ref, { lookup, stop });
    }
  }

  /**
   * Resolves once the lookups are under way: each settled (a local image, an error) or a
   * registry request on the wire; at most `capMs` later. The caller's synchronous work that
   * follows (loading and running the converter) then overlaps the registry's answer.
   */
  async underway(capMs = 30): Promise<void> {
    if (this.started.size === 0 || !this.sent) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.started.values()].map((s) => s.lookup)),
      this.sent,
      new Promise<void>((resolve) => { timer = setTimeout(resolve, capMs); }),
    ]);
    clearTimeout(timer);
  }

  /** The started lookup of `ref`, if it is the one the converter asks for. */
  take(ref: string, platform: Platform | undefined, pull: boolean): Promise<ResolvedImageConfig> | undefined {
    const started = this.started.get(ref);
    if (!started || pull || !platform || !samePlatform(platform, LINUX_AMD64)) return undefined;
    this.started.delete(ref);
    return started.lookup;
  }

  /**
   * Abandons the lookups the conversion did not take (it failed, or resolved them otherwise):
   * a registry slow to answer them must not keep the process alive after the build ends.
   */
  abandon(): void {
    for (const { stop } of this.started.values()) stop.abort();
    this.started.clear();
  }
}

function samePlatform(a: Platform, b: Platform): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof Platform>;
  return [...keys].every((k) => JSON.stringify(a[k]) === JSON.stringify(b[k]));
}

/** Image references (as written) of FROM lines in stages the target needs; [] when unsure. */
export function prefetchableBases(text: string, target: string | undefined): string[] {
  if (text.includes('<<') || /^\s*#\s*escape\s*=/im.test(text)) return [];
  interface Stage { name?: string; base?: string; baseStage?: number; deps: string[]; certain: boolean }
  const stages: Stage[] = [];
  for (const line of logicalLines(text)) {
    const words = line.trim().split(/\s+/);
    const instr = words[0]?.toUpperCase();
    if (instr === 'FROM') {
      const stage: Stage = { deps: [], certain: true };
      const args = words.slice(1);
      const image = args[0];
      if (!image || image.startsWith('--') || image.includes('$')) stage.certain = false;
      if (args.length === 3 && args[1]?.toUpperCase() === 'AS') stage.name = args[2]!.toLowerCase();
      else if (args.length !== 1) stage.certain = false;
      if (stage.certain && image) {
        const earlier = stages.findIndex((s) => s.name === image.toLowerCase());
        if (earlier >= 0) stage.baseStage = earlier;
        else stage.base = image;
      }
      stages.push(stage);
      continue;
    }
    const current = stages[stages.length - 1];
    if (!current) continue;
    if (instr === 'COPY' || instr === 'ADD') {
      for (const w of words) if (w.startsWith('--from=')) current.deps.push(w.slice('--from='.length));
    } else if (instr === 'RUN') {
      for (const w of words) {
        if (!w.startsWith('--mount=')) continue;
        for (const field of w.slice('--mount='.length).split(',')) if (field.startsWith('from=')) current.deps.push(field.slice(5));
      }
    }
  }
  if (stages.length === 0) return [];
  const targetIndex = target === undefined ? stages.length - 1 : stages.findIndex((s) => s.name === target.toLowerCase());
  if (targetIndex < 0) return [];
  const refs = new Set<string>();
  const seen = new Set<number>();
  const visit = (i: number): void => {
    const stage = stages[i];
    if (!stage || seen.has(i)) return;
    seen.add(i);
    if (stage.baseStage !== undefined) visit(stage.baseStage);
    else if (stage.certain && stage.base && stage.base.toLowerCase() !== 'scratch') refs.add(stage.base);
    for (const dep of stage.deps) {
      const byName = stages.findIndex((s, j) => j < i && s.name === dep.toLowerCase());
      if (byName >= 0) visit(byName);
      else if (/^\d+$/.test(dep) && Number(dep) < i) visit(Number(dep));
      // anything else (an image, `$VAR`) is the converter's to resolve
    }
  };
  visit(targetIndex);
  return [...refs];
}

/** Instruction lines with backslash continuations joined, comments and blank lines dropped. */
function logicalLines(text: string): string[] {
  const out: string[] = [];
  let pending = '';
  for (const raw of text.split(/\r?\n/)) {
    // Comments, also inside a continued instruction; blank lines inside one are skipped too.
    if (/^\s*#/.test(raw) || (pending !== '' && raw.trim() === '')) continue;
    const continued = /\\\s*$/.test(raw);
    pending += continued ? `${raw.replace(/\\\s*$/, '')} ` : raw;
    if (continued) continue;
    if (pending.trim()) out.push(pending);
    pending = '';
  }
  if (pending.trim()) out.push(pending);
  return out;
}
