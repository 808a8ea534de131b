/**
 * Product quantization (Jégou, Douze & Schmid, "Product quantization for nearest neighbor search",
 * IEEE TPAMI 33(1), 2011): a vector of `dim` floats is cut into `m` sub-vectors of `dsub = dim / m`
 * floats; sub-space j has its own codebook of `ks = 2^nbits` centroids, trained by k-means
 * (`kmeans.ts`) on the training vectors' j-th sub-vectors; a vector is stored as the m numbers of
 * its nearest sub-centroids. Distances are asymmetric (ADC, §III.B of the paper): per query a table
 * of the distance (or inner product) of each query sub-vector to each sub-centroid, then a code's
 * distance is the sum of m table lookups.
 *
 * Codes are byte-aligned: one byte per sub-quantizer for nbits ≤ 8, two (a `Uint16Array`) for
 * nbits ≤ 16 (faiss packs them bit by bit; for the common nbits = 8 the two layouts agree).
 */
import { invalidParameter } from '@shoal/actors';
import type { SeededRandom } from '@shoal/actors';
import { assignNearest, kmeans } from './kmeans.ts';

/** A trained product quantizer. */
export interface ProductQuantizer {
  dim: number;
  /** Number of sub-quantizers (sub-spaces). */
  m: number;
  /** Bits per sub-quantizer code; ks = 2^nbits centroids per sub-space. */
  nbits: number;
  /** `m × ks × dsub` floats: sub-space j's centroid c at `[(j·ks + c)·dsub, …+dsub)`. */
  codebooks: Float32Array;
}

/** Codes of a product quantizer: `count × m` entries, bytes for nbits ≤ 8, else 16-bit. */
export type PqCodes = Uint8Array | Uint16Array;

/**
 * Bounds of each sub-space's k-means: at most 64 · ks training rows and 10 Lloyd iterations. Lower
 * than faiss's defaults (256 · ks rows, 25 iterations): m codebooks of ks centroids cost
 * rows · ks · dim · iterations operations, which at nbits = 8 dominates the build in JavaScript,
 * while the extra iterations change PQ recall little.
 */
export const PQ_KMEANS = { maxPointsPerCentroid: 64, maxIterations: 10 } as const;

/** Centroids per sub-space: 2^nbits. */
export function pqKs(pq: ProductQuantizer): number {
  return 1 << pq.nbits;
}

/** The j-th sub-vectors of `count` rows of `rows` (`count × dim` floats): `count × dsub` floats. */
function subVectors(rows: Float32Array, count: number, dim: number, j: number, dsub: number): Float32Array {
  const out = new Float32Array(count * dsub);
  for (let r = 0; r < count; r++) out.set(rows.subarray(r * dim + j * dsub, r * dim + (j + 1) * dsub), r * dsub);
  return out;
}

/**
 * Trains the m codebooks on `count` rows of `rows` (`count × dim` floats), each sub-space with its
 * own k-means run seeded from `rng` (bounded by `PQ_KMEANS`). Throws
 * `ShoalError(ErrorCode.ParameterInvalid)` if count < 2^nbits.
 */
export function trainPq(rows: Float32Array, count: number, dim: number, m: number, nbits: number, rng: SeededRandom): ProductQuantizer {
  const ks = 1 << nbits;
  if (count < ks) throw invalidParameter(`IVF_PQ build needs at least 2^nbits = ${ks} rows to train its codebooks (nbits=${nbits}), got ${count} rows; lower nbits or index more rows`);
  const dsub = dim / m;
  const codebooks = new Float32Array(m * ks * dsub);
  for (let j = 0; j < m; j++) {
    const { centroids } = kmeans(subVectors(rows, count, dim, j, dsub), count, dsub, ks, { seed: rng.nextU32(), ...PQ_KMEANS });
    codebooks.set(centroids, j * ks * dsub);
  }
  return { dim, m, nbits, codebooks };
}

/**
 * Encodes `count` rows of `rows` (`count × dim` floats): `codes[r·m + j]` is the nearest centroid
 * of sub-space j to row r's j-th sub-vector (ties → smaller number), found in one batch per
 * sub-space.
 */
export function encodePq(pq: ProductQuantizer, rows: Float32Array, count: number): PqCodes {
  const { dim, m } = pq;
  const ks = pqKs(pq);
  const dsub = dim / m;
  const codes: PqCodes = pq.nbits <= 8 ? new Uint8Array(count * m) : new Uint16Array(count * m);
  for (let j = 0; j < m; j++) {
    const book = pq.codebooks.subarray(j * ks * dsub, (j + 1) * ks * dsub);
    const { assign } = assignNearest(subVectors(rows, count, dim, j, dsub), count, dsub, book, ks, 'L2');
    for (let r = 0; r < count; r++) codes[r * m + j] = assign[r];
  }
  return codes;
}

/**
 * Fills `table` (`m × ks`) with the ADC terms of the vector `x` (`dim` floats at `xOff`):
 * squared L2 distances of each sub-vector to each sub-centroid if `l2`, else inner products.
 */
export function pqTable(pq: ProductQuantizer, x: Float32Array | Float64Array, xOff: number, l2: boolean, table: Float64Array): void {
  const { m, codebooks } = pq;
  const ks = pqKs(pq);
  const dsub = pq.dim / m;
  for (let j = 0; j < m; j++) {
    const xs = xOff + j * dsub;
    for (let c = 0; c < ks; c++) {
      const cOff = (j * ks + c) * dsub;
      let s = 0;
      for (let d = 0; d < dsub; d++) {
        const v = codebooks[cOff + d];
        if (l2) {
          const diff = x[xs + d] - v;
          s += diff * diff;
        } else s += x[xs + d] * v;
      }
      table[j * ks + c] = s;
    }
  }
}

/** Σ_j table[j·ks + codes[off + j]]: the ADC value of the code at `codes[off, off + m)`. */
export function pqLookup(table: Float64Array, codes: PqCodes, off: number, m: number, ks: number): number {
  let s = 0;
  for (let j = 0; j < m; j++) s += table[j * ks + codes[off + j]];
  return s;
}
