/**
 * Distance kernels of binary vectors (Milvus `HAMMING` and `JACCARD`) over packed bit rows.
 *
 * Layout: a vector of `dim` bits arrives as `dim / 8` bytes (see `vector-kind.ts` for the bit
 * order). Kernels work on rows of 32-bit words: `packRows` views the caller's bytes as an
 * `Int32Array` when every row starts 4-byte aligned (row length a multiple of 4 bytes, aligned
 * buffer offset), and otherwise copies each row into `⌈bytes / 4⌉` words, zero-padded. Zero padding
 * changes no count (XOR, AND and OR of zero bytes are zero), and the byte image of a row is kept, so
 * the bit order does not matter to the kernels. Signed words: V8 keeps `Int32Array` elements in
 * machine integers, while `Uint32Array` elements above 2³¹ may be boxed as doubles.
 *
 * Popcount: the SWAR bit count of "Hacker's Delight" (Warren, 2nd ed., §5-1, Fig. 5-2), per word.
 * Measured on this project's 2-core machine (Node 22, V8), a 1024-bit Hamming distance inside a
 * scan loop takes ≈ 115–125 ns with SWAR over `Int32Array` words (≈ 135 ns over `Uint32Array`),
 * ≈ 120–135 ns with a 65536-entry table per 16-bit half-word, ≈ 170 ns with a 256-entry table per
 * byte of each word, and ≈ 430–490 ns with a 256-entry table per byte read from a `Uint8Array`:
 * SWAR is the fastest (tied with the 64 KiB table, which competes for cache) and needs no table.
 * A whole BIN_FLAT scan (`binary-scan.ts`, top-10 heap included) costs ≈ 140 ns per 1024-bit row
 * for HAMMING and ≈ 165 ns for JACCARD.
 *
 * Jaccard: |a ∧ b| / |a ∨ b| uses |a ∨ b| = |a| + |b| − |a ∧ b|, so with the row popcounts stored
 * (`rowPopcounts`) a distance costs one popcount per word, as Hamming does.
 */

/** Number of set bits of the low 32 bits of `v` (SWAR, see the module comment). */
export function popcount32(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/** Hamming distance (differing bits) of the `words`-word rows at word offsets `aOff` of `a` and `bOff` of `b`. */
export function hammingWords(a: Int32Array, aOff: number, b: Int32Array, bOff: number, words: number): number {
  let c = 0;
  for (let i = 0; i < words; i++) c += popcount32(a[aOff + i] ^ b[bOff + i]);
  return c;
}

/** |a ∧ b|: set bits common to the `words`-word rows at `aOff` of `a` and `bOff` of `b`. */
export function andCountWords(a: Int32Array, aOff: number, b: Int32Array, bOff: number, words: number): number {
  let c = 0;
  for (let i = 0; i < words; i++) c += popcount32(a[aOff + i] & b[bOff + i]);
  return c;
}

/** Set bits of the `words`-word row at word offset `off` of `a`. */
export function popcountWords(a: Int32Array, off: number, words: number): number {
  let c = 0;
  for (let i = 0; i < words; i++) c += popcount32(a[off + i]);
  return c;
}

/**
 * Jaccard distance 1 − |a ∧ b| / |a ∨ b| from `inter` = |a ∧ b| and the popcounts |a|, |b|, rounded
 * to float32 (the precision results are reported in, so that equal reported scores are equal keys
 * and tie-break by id); 0 when both vectors are all-zero.
 */
export function jaccardFromCounts(inter: number, popA: number, popB: number): number {
  const union = popA + popB - inter;
  return union === 0 ? 0 : Math.fround((union - inter) / union);
}

/** Words per packed row of `rowBytes` bytes: ⌈rowBytes / 4⌉. */
export function wordsPerRow(rowBytes: number): number {
  return (rowBytes + 3) >>> 2;
}

/**
 * `rows` rows of `rowBytes` bytes of `src` (row-major, at least `rows × rowBytes` bytes) as an
 * `Int32Array` of `rows × wordsPerRow(rowBytes)` words: a view of `src` (no copy; the caller must
 * not change those bytes afterwards) when `rowBytes` is a multiple of 4 and `src` is 4-byte
 * aligned, otherwise a zero-padded copy (see the module comment).
 */
export function packRows(src: Uint8Array, rows: number, rowBytes: number): Int32Array {
  const words = wordsPerRow(rowBytes);
  if ((rowBytes & 3) === 0 && (src.byteOffset & 3) === 0) return new Int32Array(src.buffer, src.byteOffset, rows * words);
  const out = new Int32Array(rows * words);
  const outBytes = new Uint8Array(out.buffer);
  for (let r = 0; r < rows; r++) outBytes.set(src.subarray(r * rowBytes, (r + 1) * rowBytes), r * words * 4);
  return out;
}

/** The popcount of each of the `rows` packed rows of `words` words in `data`: an `Int32Array` of `rows`. */
export function rowPopcounts(data: Int32Array, rows: number, words: number): Int32Array {
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) out[r] = popcountWords(data, r * words, words);
  return out;
}
