// The host facts behind RUN --security=insecure, as BuildKit's WithInsecureSpec reads them:
// no devices inside a user namespace (containerd's RunningInUserNS), loop devices up to the
// first free one (LOOP_CTL_GET_FREE) + 7; and this process's capability bounding set, which
// no container it starts can exceed. Read only for insecure steps.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { insecureDevices, type InsecureHost } from './spec.js';

/** containerd's RunningInUserNS: a uid_map other than the full identity map. */
export function runningInUserNS(uidMap?: string): boolean {
  let text = uidMap;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/uid_map', 'utf8');
    } catch {
      return false;
    }
  }
  const fields = text.trim().split(/\s+/);
  return !(fields.length === 3 && fields[0] === '0' && fields[1] === '0' && fields[2] === '4294967295');
}

/**
 * What LOOP_CTL_GET_FREE would answer, from sysfs (a bound loop device has a `loop`
 * directory): the lowest unbound loop device, else the next number. 0 when there is no
 * /dev/loop-control (BuildKit logs the failure and uses 0).
 */
export function firstFreeLoop(sysBlock = '/sys/block', control = '/dev/loop-control'): number {
  if (!existsSync(control)) return 0;
  let names: string[];
  try {
    names = readdirSync(sysBlock);
  } catch {
    return 0;
  }
  const ids = names.map((n) => /^loop(\d+)$/.exec(n)?.[1]).filter((x): x is string => x !== undefined).map(Number).sort((a, b) => a - b);
  for (const id of ids) if (!existsSync(`${sysBlock}/loop${id}/loop`)) return id;
  return ids.length ? (ids[ids.length - 1] as number) + 1 : 0;
}

/** CapBnd of /proc/self/status (undefined when it cannot be read). */
export function capabilityBound(statusText?: string): bigint | undefined {
  let text = statusText;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/status', 'utf8');
    } catch {
      return undefined;
    }
  }
  const hex = /^CapBnd:\s*([0-9a-f]+)$/m.exec(text)?.[1];
  return hex === undefined ? undefined : BigInt(`0x${hex}`);
}

export function insecureHost(): InsecureHost {
  const bound = capabilityBound();
  return {
    devices: runningInUserNS() ? [] : insecureDevices(firstFreeLoop()),
    ...(bound !== undefined ? { capabilityBound: bound } : {}),
  };
}
