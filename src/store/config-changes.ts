// `import --change` (Docker's `commit`/`import` changes): a Dockerfile instruction applied to
// an image config. Supported: CMD ENTRYPOINT ENV EXPOSE LABEL ONBUILD STOPSIGNAL USER VOLUME WORKDIR.
import type { ImageConfig } from '../content/descriptor.js';
import { ImageCommandError } from './errors.js';

type ContainerConfig = NonNullable<ImageConfig['config']>;

export function applyChanges(config: ContainerConfig, changes: readonly string[]): void {
  for (const change of changes) {
    const m = /^\s*(\S+)\s*([\s\S]*)$/.exec(change);
    if (!m) continue;
    const instr = m[1]!.toUpperCase();
    const rest = m[2]!.trim();
    switch (instr) {
      case 'CMD':
        config.Cmd = execForm(rest) ?? ['/bin/sh', '-c', rest];
        break;
      case 'ENTRYPOINT':
        config.Entrypoint = execForm(rest) ?? ['/bin/sh', '-c', rest];
        break;
      case 'ENV':
        for (const [k, v] of keyValues(instr, rest)) config.Env = [...(config.Env ?? []).filter((e) => e.split('=')[0] !== k), `${k}=${v}`];
        break;
      case 'LABEL':
        config.Labels = { ...(config.Labels ?? {}), ...Object.fromEntries(keyValues(instr, rest)) };
        break;
      case 'EXPOSE':
        config.ExposedPorts = { ...(config.ExposedPorts ?? {}) };
        for (const p of words(rest)) config.ExposedPorts[p.includes('/') ? p.toLowerCase() : `${p}/tcp`] = {};
        break;
      case 'VOLUME':
        config.Volumes = { ...(config.Volumes ?? {}) };
        for (const v of execForm(rest) ?? words(rest)) config.Volumes[v] = {};
        break;
      case 'USER':
        config.User = rest;
        break;
      case 'WORKDIR':
        config.WorkingDir = rest;
        break;
      case 'STOPSIGNAL':
        config.StopSignal = rest;
        break;
      case 'ONBUILD':
        config.OnBuild = [...(config.OnBuild ?? []), rest];
        break;
      default:
        throw new ImageCommandError(`${instr.toLowerCase()} is not a valid change command`);
    }
  }
}

/** `["a","b"]` → [a, b]; anything that is not a JSON array of strings → undefined (shell form). */
function execForm(s: string): string[] | undefined {
  if (!s.startsWith('[')) return undefined;
  try {
    const v = JSON.parse(s) as unknown;
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Whitespace-separated words with Dockerfile quoting ("…", '…', backslash escapes). */
function words(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | undefined;
  let inWord = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < s.length) cur += s[++i];
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < s.length) {
      cur += s[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) out.push(cur);
  return out;
}

/** `k=v k2="v 2"`, or the legacy `KEY value with spaces` form. */
function keyValues(instr: string, rest: string): Array<[string, string]> {
  const first = words(rest)[0] ?? '';
  if (!first.includes('=')) {
    const m = /^(\S+)\s+([\s\S]*)$/.exec(rest);
    if (!m) throw new ImageCommandError(`${instr} requires at least one argument`);
    return [[m[1]!, words(m[2]!).join(' ')]];
  }
  return words(rest).map((w) => {
    const eq = w.indexOf('=');
    if (eq <= 0) throw new ImageCommandError(`${instr} names can not be blank (in "${w}")`);
    return [w.slice(0, eq), w.slice(eq + 1)];
  });
}
