/**
 * Distance kernels over row-major `Float32Array` blocks (DESIGN.md, "Indexes").
 *
 * Every kernel reads `dim` float32 values of `a` from offset `aOff` and of `b` from offset `bOff`
 * (offsets in elements, not bytes) and accumulates in float64 (JavaScript numbers), so results are
 * exact sums of the float32 inputs up to double rounding. Callers round to float32 when they report.
 * The loops are unrolled by 4, the pattern V8 optimises best for typed-array reductions.
 */

/** Squared Euclidean distance Σ (aᵢ − bᵢ)² (Milvus `L2` reports this value, not its root). */
export function l2Squared(a: Float32Array, aOff: number, b: Float32Array, bOff: number, dim: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  const end4 = dim - (dim & 3);
  for (; i < end4; i += 4) {
    const d0 = a[aOff + i] - b[bOff + i];
    const d1 = a[aOff + i + 1] - b[bOff + i + 1];
    const d2 = a[aOff + i + 2] - b[bOff + i + 2];
    const d3 = a[aOff + i + 3] - b[bOff + i + 3];
    s0 += d0 * d0;
    s1 += d1 * d1;
    s2 += d2 * d2;
    s3 += d3 * d3;
  }
  for (; i < dim; i++) {
    const d = a[aOff + i] - b[bOff + i];
    s0 += d * d;
  }
  return s0 + s1 + s2 + s3;
}

/** Inner product Σ aᵢ·bᵢ (Milvus `IP`). */
export function innerProduct(a: Float32Array, aOff: number, b: Float32Array, bOff: number, dim: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  const end4 = dim - (dim & 3);
  for (; i < end4; i += 4) {
    s0 += a[aOff + i] * b[bOff + i];
    s1 += a[aOff + i + 1] * b[bOff + i + 1];
    s2 += a[aOff + i + 2] * b[bOff + i + 2];
    s3 += a[aOff + i + 3] * b[bOff + i + 3];
  }
  for (; i < dim; i++) s0 += a[aOff + i] * b[bOff + i];
  return s0 + s1 + s2 + s3;
}

/**
 * Reciprocal Euclidean norm 1/‖v‖ of the vector at element offset `off`, or 0 for the zero vector
 * (so that its cosine with anything is 0 rather than NaN).
 */
export function inverseNorm(v: Float32Array, off: number, dim: number): number {
  const sq = innerProduct(v, off, v, off, dim);
  return sq > 0 ? 1 / Math.sqrt(sq) : 0;
}

/**
 * Reciprocal norms of `count` row-major vectors of `dim` floats in `block`: a `Float64Array` of
 * length `count` whose entry `i` is 1/‖row i‖ (0 for a zero row). Used by `COSINE`, where the
 * similarity of rows x, y is (x·y)·(1/‖x‖)·(1/‖y‖); float64 keeps that product within a few ulps
 * of a direct x·y/(‖x‖‖y‖).
 */
export function inverseNorms(block: Float32Array, count: number, dim: number): Float64Array {
  const out = new Float64Array(count);
  for (let r = 0; r < count; r++) out[r] = inverseNorm(block, r * dim, dim);
  return out;
}
