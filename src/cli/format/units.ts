// Docker's size and duration wording (github.com/docker/go-units): decimal units with a
// given number of significant digits, and "About an hour"-style durations.
const DECIMAL_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];

/** go-units HumanSizeWithPrecision: `humanSize(300006, 3)` → `300kB`. Docker's default precision is 4. */
export function humanSize(bytes: number, precision = 4): string {
  let size = bytes;
  let i = 0;
  while (size >= 1000 && i < DECIMAL_UNITS.length - 1) {
    size /= 1000;
    i++;
  }
  return `${formatG(size, precision)}${DECIMAL_UNITS[i]}`;
}

/** C's %.<p>g for the small non-negative numbers humanSize produces. */
function formatG(x: number, precision: number): string {
  if (x === 0) return '0';
  const s = x.toPrecision(precision);
  if (s.includes('e')) return String(Number(s));
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/** go-units HumanDuration. */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(ms / 3_600_000);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(ms / 3_600_000 / 24 / 365)} years`;
}

/** Docker's CREATED column: `5 minutes ago` (empty when there is no creation time). */
export function createdSince(created: string | undefined, now = Date.now()): string {
  const t = created ? Date.parse(created) : Number.NaN;
  if (Number.isNaN(t)) return '';
  return `${humanDuration(now - t)} ago`;
}

/** Go's time.String() of a UTC time: `2026-11-22 19:31:34 +0000 UTC`. */
export function createdAt(created: string | undefined): string {
  const t = created ? Date.parse(created) : Number.NaN;
  if (Number.isNaN(t)) return '';
  const iso = new Date(t).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} +0000 UTC`;
}

/** Go's time.Format(time.RFC3339) of a UTC time: `2024-01-01T00:00:00Z`. */
export function rfc3339(created: string | undefined): string {
  const t = created ? Date.parse(created) : Number.NaN;
  if (Number.isNaN(t)) return '';
  return `${new Date(t).toISOString().slice(0, 19)}Z`;
}
