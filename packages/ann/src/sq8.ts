/**
 * Per-dimension 8-bit scalar quantization (faiss `ScalarQuantizer::QT_8bit` with the min/max range
 * statistic): each dimension d has a range [vmin_d, vmin_d + 255·step_d] learnt from training rows;
 * a value x is stored as the byte round((x − vmin_d) / step_d), clamped to [0, 255], and decoded
 * as vmin_d + code · step_d. Distances are asymmetric: the float query against decoded codes.
 * Four times smaller than float32 vectors; error at most step_d / 2 per dimension inside the range.
 */

/** A trained 8-bit scalar quantizer for vectors of `vmin.length` floats. */
export interface ScalarQuantizer {
  /** Per-dimension lower bound of the range. */
  vmin: Float32Array;
  /** Per-dimension step: (max − min) / 255, 0 for a constant dimension. */
  step: Float32Array;
}

/** Trains the ranges on `count` rows of `rows` (`count × dim` floats): min and max of each dimension. */
export function trainSq8(rows: Float32Array, count: number, dim: number): ScalarQuantizer {
  const lo = new Float32Array(dim).fill(Infinity);
  const hi = new Float32Array(dim).fill(-Infinity);
  for (let r = 0; r < count; r++) {
    const off = r * dim;
    for (let d = 0; d < dim; d++) {
      const v = rows[off + d];
      if (v < lo[d]) lo[d] = v;
      if (v > hi[d]) hi[d] = v;
    }
  }
  const step = new Float32Array(dim);
  for (let d = 0; d < dim; d++) {
    if (count === 0) lo[d] = 0;
    else step[d] = (hi[d] - lo[d]) / 255;
  }
  return { vmin: lo, step };
}

/** Encodes the row at element offset `srcOff` of `src` into `codes[codeOff, codeOff + dim)`. */
export function encodeSq8(sq: ScalarQuantizer, src: Float32Array, srcOff: number, codes: Uint8Array, codeOff: number): void {
  const { vmin, step } = sq;
  for (let d = 0; d < vmin.length; d++) {
    const s = step[d];
    const c = s > 0 ? Math.round((src[srcOff + d] - vmin[d]) / s) : 0;
    codes[codeOff + d] = c < 0 ? 0 : c > 255 ? 255 : c;
  }
}

/**
 * Per-query terms of the asymmetric distance to codes (`dim` floats of `queries` at `qOff`), into
 * `a` (length dim): for L2, a_d = q_d − vmin_d, so ‖q − decoded‖² = Σ (a_d − c_d·step_d)²; for IP,
 * a_d = q_d · step_d and the return value is q·vmin, so q·decoded = q·vmin + Σ a_d·c_d.
 */
export function prepareSq8Query(sq: ScalarQuantizer, l2: boolean, queries: Float32Array, qOff: number, a: Float64Array): number {
  const { vmin, step } = sq;
  let base = 0;
  for (let d = 0; d < vmin.length; d++) {
    const q = queries[qOff + d];
    if (l2) a[d] = q - vmin[d];
    else {
      a[d] = q * step[d];
      base += q * vmin[d];
    }
  }
  return base;
}

/** Σ (a_d − codes[off + d]·step_d)²: the squared L2 distance of a prepared query to a code. */
export function sq8L2(a: Float64Array, step: Float32Array, codes: Uint8Array, off: number): number {
  let s = 0;
  for (let d = 0; d < a.length; d++) {
    const diff = a[d] - codes[off + d] * step[d];
    s += diff * diff;
  }
  return s;
}

/** Σ a_d · codes[off + d]: the code-dependent part of the inner product of a prepared query. */
export function sq8Dot(a: Float64Array, codes: Uint8Array, off: number): number {
  let s = 0;
  for (let d = 0; d < a.length; d++) s += a[d] * codes[off + d];
  return s;
}
