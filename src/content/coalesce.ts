// Regroups a byte stream into chunks of at least `min` bytes (the last may be shorter).
// zlib handles every written chunk as one thread-pool job whose dispatch costs the main
// thread far more than a copy: 64 KiB socket or file reads of the 50 MB debian layer cost
// 110-260 ms of main-thread time in zlib's processChunk when gunzipped, 1 MiB chunks 2-15 ms;
// gzip of busybox's 2 MB tar fed as 512-byte pieces (tar headers) takes 250 ms, as 256 KiB
// pieces 63 ms. Deflate's output does not depend on how its input is split (no flushes), so
// blobs stay byte-identical.
// With `max` above `min`, the threshold doubles after every chunk up to `max`: small first
// chunks let a download's first bytes inflate (and unpack) while the rest still arrives,
// where 1 MiB from the start held back all of a 1 MB layer (busybox) until its last byte.
export async function* coalesce(source: AsyncIterable<Uint8Array>, min: number, max = min): AsyncGenerator<Uint8Array> {
  let parts: Uint8Array[] = [];
  let have = 0;
  for await (const chunk of source) {
    parts.push(chunk);
    have += chunk.byteLength;
    if (have < min) continue;
    yield parts.length === 1 ? chunk : Buffer.concat(parts, have);
    parts = [];
    have = 0;
    min = Math.min(max, min * 2);
  }
  if (have > 0) yield parts.length === 1 ? parts[0]! : Buffer.concat(parts, have);
}
