// JSON text as Go's encoding/json writes it (what BuildKit hashes): `<`, `>`, `&`, U+2028 and
// U+2029 escaped; callers build objects in the key order they want written.
export function goJSON(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

/** `{…}` with keys sorted (Go marshals maps that way). */
export function sortedRecord(m: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(m).sort()) out[k] = m[k]!;
  return out;
}
