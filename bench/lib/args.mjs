// Command-line flags of the benchmark scripts: `--name value` pairs and bare switches.
export const args = process.argv.slice(2);

/** The value after `name`, or `dflt` when the flag is absent. */
export function flag(name, dflt) {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
}
