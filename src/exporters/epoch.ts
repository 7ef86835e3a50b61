// SOURCE_DATE_EPOCH for an export: `--build-arg SOURCE_DATE_EPOCH=…` wins, else the
// environment variable (buildx forwards the environment's value as that build arg, so the
// build command should also hand it to the converter).
import { UsageError } from '../cli/errors.js';

export function sourceDateEpoch(buildArgs: ReadonlyMap<string, string> | Record<string, string>,
  env: NodeJS.ProcessEnv = process.env): number | undefined {
  const fromArgs = buildArgs instanceof Map ? buildArgs.get('SOURCE_DATE_EPOCH') : (buildArgs as Record<string, string>).SOURCE_DATE_EPOCH;
  const v = fromArgs ?? env.SOURCE_DATE_EPOCH;
  if (v === undefined || v === '') return undefined;
  if (!/^[0-9]+$/.test(v)) throw new UsageError(`invalid SOURCE_DATE_EPOCH ${JSON.stringify(v)}: expected seconds since 1970 (an integer)`);
  return Number(v);
}
