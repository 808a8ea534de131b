/**
 * k-means clustering for the IVF coarse quantizer and the product-quantization codebooks.
 *
 * - Training sample: at most `maxPointsPerCentroid · k` rows drawn without replacement (faiss's
 *   `ClusteringParameters.max_points_per_centroid`, default 256; faiss also warns below 39 points
 *   per centroid, `min_points_per_centroid`). Fewer than k rows is an error.
 * - Seeding: k-means++ on the sample (Arthur & Vassilvitskii, "k-means++: The Advantages of
 *   Careful Seeding", SODA 2007): each next seed is a sample point drawn with probability
 *   proportional to its squared L2 distance to the nearest seed so far.
 * - Iterations: Lloyd's (assign every sample point to its nearest centroid, move each centroid to
 *   the mean of its points), at most `maxIterations` (default 25, faiss's `niter`), stopping early
 *   once no assignment changes.
 * - Assignment with Elkan's bounds (C. Elkan, "Using the Triangle Inequality to Accelerate
 *   k-Means", ICML 2003): each point keeps a lower bound on its distance to every centroid,
 *   decreased by that centroid's move in each iteration. A centroid is compared with a point only
 *   if neither that bound nor half the distance between the point's centroid and it exceeds the
 *   point's exact distance to its own centroid (triangle inequality). The result is Lloyd's; the
 *   distance computations per iteration drop from n·k towards n once clusters settle, at
 *   n·k float64s of memory (the sample is at most 256·k rows). Bounds are Euclidean; for spherical
 *   k-means they apply while every centroid has unit length (then the largest inner product is the
 *   smallest distance), else an exact pass runs.
 * - Empty clusters: re-seeded at the sample points farthest from their centroids (taken from
 *   clusters that keep at least one point), so that no centroid is wasted.
 * - `metric: 'IP'` is spherical k-means: points go to the centroid of largest inner product and
 *   centroids are scaled to unit length after each update (faiss `IndexIVF` sets
 *   `cp.spherical = true` for METRIC_INNER_PRODUCT).
 *
 * Deterministic: all randomness comes from a `SeededRandom` (xoshiro128**) seeded with `seed`; ties
 * in assignment go to the smaller centroid number (`scanTopK`).
 */
import { invalidParameter, SeededRandom } from '@shoal/actors';
import { innerProduct, l2Squared } from './distance.ts';
import { scanTopK } from './scan.ts';

/** The metric of a k-means run: squared L2 (Lloyd) or inner product (spherical k-means). */
export type KMeansMetric = 'L2' | 'IP';

/** Default bounds of a k-means run (faiss `ClusteringParameters` defaults). */
export const KMEANS_DEFAULTS = { maxIterations: 25, maxPointsPerCentroid: 256 } as const;

/** Options of `kmeans`. */
export interface KMeansOptions {
  /** Seed of the sampling and seeding randomness, an integer in [0, 2³² − 1]. */
  seed: number;
  /** Assignment metric; default `'L2'`. */
  metric?: KMeansMetric;
  /** Maximum number of Lloyd iterations, ≥ 1; default 25. */
  maxIterations?: number;
  /** Training sample size per centroid, ≥ 1; the sample has min(n, this · k) rows. Default 256. */
  maxPointsPerCentroid?: number;
}

/** The outcome of `kmeans`. */
export interface KMeansResult {
  /** `k × dim` floats, row-major: centroid c at `[c·dim, (c+1)·dim)`. */
  centroids: Float32Array;
  /** Number of training sample rows used. */
  sampleSize: number;
  /**
   * The objective after each iteration's assignment step, one entry per iteration run: for L2 the
   * sum of squared distances of the sample points to their centroids; for IP the negated sum of
   * inner products (so smaller is better in both cases). Lloyd's algorithm never increases it.
   */
  inertia: number[];
  /**
   * When every row was in the training sample (n ≤ maxPointsPerCentroid · k): each row's nearest
   * final centroid (ties → smaller number), as `assignNearest` would give, at the cost of one
   * bounded pass instead of n·k distances. Null when the sample was a subset.
   */
  assignment: Int32Array | null;
}

/**
 * Nearest centroid of each of `count` rows (`count × dim` floats in `vectors`) among `k`
 * centroids (`k × dim` floats): `assign[i]` is the centroid number (ties → smaller number) and
 * `score[i]` the squared distance (L2) or the inner product (IP), as float32. Batched through the
 * tiled brute-force kernel `scanTopK`; O(count · k · dim) time, O(count) memory.
 */
export function assignNearest(vectors: Float32Array, count: number, dim: number, centroids: Float32Array, k: number, metric: KMeansMetric): { assign: Int32Array; score: Float32Array } {
  const res = scanTopK({ metric, dim, count: k, vectors: centroids, invNorms: null, rowIds: null }, vectors, count, 1, null);
  return { assign: res.ids, score: res.scores };
}

/**
 * Clusters rows 0..n−1 of `vectors` (`n × dim` floats, row-major) into `k` clusters (see the module
 * comment). Throws `ShoalError(ErrorCode.ParameterInvalid)` if k < 1 or n < k (too few rows to
 * train k centroids).
 */
export function kmeans(vectors: Float32Array, n: number, dim: number, k: number, opts: KMeansOptions): KMeansResult {
  if (!Number.isInteger(k) || k < 1) throw invalidParameter(`k-means needs k ≥ 1 clusters, got ${k}`);
  if (n < k) throw invalidParameter(`k-means needs at least as many rows as clusters: ${n} rows for k=${k}`);
  const metric = opts.metric ?? 'L2';
  const rng = new SeededRandom(opts.seed);
  const perCentroid = opts.maxPointsPerCentroid ?? KMEANS_DEFAULTS.maxPointsPerCentroid;
  const sampleSize = Math.min(n, perCentroid * k);
  const sample = sampleRows(vectors, n, dim, sampleSize, rng);
  const centroids = seedPlusPlus(sample, sampleSize, dim, k, rng);
  const maxIterations = opts.maxIterations ?? KMEANS_DEFAULTS.maxIterations;
  const inertia: number[] = [];
  const state = new ElkanState(sample, sampleSize, dim, k, metric);
  let previous: Int32Array | null = null;
  let moved: Float64Array | null = null;
  let converged = false;
  for (let it = 0; it < maxIterations && !converged; it++) {
    state.update(centroids, moved);
    const { assign, score } = state;
    let total = 0;
    for (let i = 0; i < sampleSize; i++) total += score[i];
    inertia.push(metric === 'L2' ? total : -total);
    converged = previous !== null && sameAssignment(previous, assign);
    if (converged) break;
    const before = centroids.slice();
    updateCentroids(sample, sampleSize, dim, k, assign, score, metric, centroids);
    moved = centroidShifts(before, centroids, k, dim);
    previous = assign.slice();
  }
  let assignment: Int32Array | null = null;
  if (sampleSize === n) {
    if (!converged) state.update(centroids, moved); // the last update moved the centroids: one bounded pass
    assignment = state.assign;
  }
  return { centroids, sampleSize, inertia, assignment };
}

/** Relative slack on bound comparisons, far above float64 rounding of the distances involved. */
const BOUND_SLACK = 1e-9;

/**
 * Assignment state of Elkan's algorithm (see the module comment) over `s` points: the current
 * centroid of each point, its exact score there (squared L2, or inner product for IP) and, per
 * point and centroid, a lower bound on their Euclidean distance (`s × k` float64s).
 */
class ElkanState {
  readonly assign: Int32Array;
  readonly score: Float32Array;
  private readonly lower: Float64Array;
  private readonly norm2: Float64Array | null;
  private readonly centroidNorm2: Float64Array;
  private readonly points: Float32Array;
  private readonly s: number;
  private readonly dim: number;
  private readonly k: number;
  private readonly metric: KMeansMetric;
  private fresh = false;

  constructor(points: Float32Array, s: number, dim: number, k: number, metric: KMeansMetric) {
    this.points = points;
    this.s = s;
    this.dim = dim;
    this.k = k;
    this.metric = metric;
    this.assign = new Int32Array(s);
    this.score = new Float32Array(s);
    this.lower = new Float64Array(s * k);
    this.norm2 = metric === 'IP' ? new Float64Array(s) : null;
    if (this.norm2) for (let i = 0; i < s; i++) this.norm2[i] = innerProduct(points, i * dim, points, i * dim, dim);
    this.centroidNorm2 = new Float64Array(k);
  }

  /**
   * Assigns every point to its nearest centroid among `centroids` (`k × dim`; ties → the smaller
   * number, as `scanTopK`), given how far each centroid moved since the previous call (`moved`,
   * Euclidean; null on the first call).
   */
  update(centroids: Float32Array, moved: Float64Array | null): void {
    for (let c = 0; c < this.k; c++) this.centroidNorm2[c] = innerProduct(centroids, c * this.dim, centroids, c * this.dim, this.dim);
    const exact = !this.fresh || moved === null || !this.boundsApply();
    this.fresh = true;
    const { s, dim, k, assign, score, lower } = this;
    const gap = exact ? null : centroidGaps(centroids, k, dim);
    for (let i = 0; i < s; i++) {
      const row = i * k;
      const pOff = i * dim;
      let a = assign[i];
      let bestKey = Infinity;
      let u = Infinity;
      if (!exact) {
        for (let c = 0; c < k; c++) lower[row + c] = Math.max(0, lower[row + c] - (moved as Float64Array)[c]);
        bestKey = this.key(pOff, centroids, a);
        u = this.distance(i, bestKey, a);
        lower[row + a] = u;
      }
      const aOld = a;
      for (let c = 0; c < k; c++) {
        if (c === aOld && !exact) continue;
        if (!exact) {
          const reach = u * (1 + BOUND_SLACK) + BOUND_SLACK;
          if (lower[row + c] > reach || (gap as Float64Array)[aOld * k + c] > reach) continue;
        }
        const key = this.key(pOff, centroids, c);
        const d = this.distance(i, key, c);
        lower[row + c] = d;
        if (key < bestKey || (key === bestKey && c < a)) {
          bestKey = key;
          a = c;
          u = d;
        }
      }
      assign[i] = a;
      score[i] = this.metric === 'L2' ? bestKey : -bestKey;
    }
  }

  /** The heap key of point (element offset `pOff`) and centroid `c`: squared L2, or −IP. */
  private key(pOff: number, centroids: Float32Array, c: number): number {
    const dim = this.dim;
    return this.metric === 'L2' ? l2Squared(this.points, pOff, centroids, c * dim, dim) : -innerProduct(this.points, pOff, centroids, c * dim, dim);
  }

  /** Euclidean distance of point `i` to centroid `c`, given their key (`‖x‖² + 2·key + ‖c‖²` for IP). */
  private distance(i: number, key: number, c: number): number {
    if (this.norm2 === null) return Math.sqrt(Math.max(0, key));
    return Math.sqrt(Math.max(0, this.norm2[i] + 2 * key + this.centroidNorm2[c]));
  }

  /** L2 always; IP only while every centroid has unit length (then max IP = min distance). */
  private boundsApply(): boolean {
    if (this.metric === 'L2') return true;
    for (let c = 0; c < this.k; c++) if (Math.abs(this.centroidNorm2[c] - 1) > 1e-6) return false;
    return true;
  }
}

/** Half the Euclidean distance between every two of the `k` centroids: `k × k` float64s. */
function centroidGaps(centroids: Float32Array, k: number, dim: number): Float64Array {
  const gap = new Float64Array(k * k);
  for (let a = 0; a < k; a++) {
    for (let b = a + 1; b < k; b++) {
      const d = Math.sqrt(l2Squared(centroids, a * dim, centroids, b * dim, dim)) / 2;
      gap[a * k + b] = d;
      gap[b * k + a] = d;
    }
  }
  return gap;
}

/** Euclidean distance each of the `k` centroids moved from `before` to `after`. */
function centroidShifts(before: Float32Array, after: Float32Array, k: number, dim: number): Float64Array {
  const out = new Float64Array(k);
  for (let c = 0; c < k; c++) out[c] = Math.sqrt(l2Squared(before, c * dim, after, c * dim, dim));
  return out;
}

/**
 * A uniform sample without replacement of `size` (≤ n) of the `n` rows of `vectors` (`n × dim`
 * floats), in row order, as `size × dim` floats: a copy, or the rows themselves (a view) if size = n.
 * Draws from `rng` (a partial Fisher–Yates shuffle of the row numbers, O(n) memory).
 */
export function sampleRows(vectors: Float32Array, n: number, dim: number, size: number, rng: SeededRandom): Float32Array {
  if (size === n) return vectors.subarray(0, n * dim);
  // Partial Fisher–Yates shuffle: the first `size` places hold a uniform sample without replacement.
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = 0; i < size; i++) {
    const j = i + rng.int(n - i);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  const chosen = order.subarray(0, size).sort();
  const out = new Float32Array(size * dim);
  for (let i = 0; i < size; i++) out.set(vectors.subarray(chosen[i] * dim, (chosen[i] + 1) * dim), i * dim);
  return out;
}

/** k-means++ seeds (squared L2 weighting) among the `s` sample rows: `k × dim` floats. */
function seedPlusPlus(sample: Float32Array, s: number, dim: number, k: number, rng: SeededRandom): Float32Array {
  const centroids = new Float32Array(k * dim);
  const nearest = new Float64Array(s);
  let chosen = rng.int(s);
  for (let c = 0; c < k; c++) {
    if (c > 0) chosen = drawWeighted(nearest, rng);
    const seedOff = chosen * dim;
    centroids.set(sample.subarray(seedOff, seedOff + dim), c * dim);
    for (let i = 0; i < s; i++) {
      const d = l2Squared(sample, i * dim, sample, seedOff, dim);
      if (c === 0 || d < nearest[i]) nearest[i] = d;
    }
  }
  return centroids;
}

/** An index drawn with probability weights[i] / Σ weights; uniform if every weight is 0. */
function drawWeighted(weights: Float64Array, rng: SeededRandom): number {
  let total = 0;
  for (let i = 0; i < weights.length; i++) total += weights[i];
  if (!(total > 0)) return rng.int(weights.length);
  let target = rng.next() * total;
  let last = 0;
  for (let i = 0; i < weights.length; i++) {
    if (weights[i] <= 0) continue;
    last = i;
    target -= weights[i];
    if (target < 0) return i;
  }
  return last; // rounding left a tiny remainder: the last positive weight
}

function sameAssignment(a: Int32Array, b: Int32Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Lloyd's update in place: each centroid becomes the mean of its points (unit-scaled for IP); an
 * empty cluster takes the point farthest from its centroid among clusters of ≥ 2 points.
 */
function updateCentroids(sample: Float32Array, s: number, dim: number, k: number, assign: Int32Array, score: Float32Array, metric: KMeansMetric, centroids: Float32Array): void {
  const sums = new Float64Array(k * dim);
  const sizes = new Int32Array(k);
  for (let i = 0; i < s; i++) {
    const c = assign[i];
    sizes[c]++;
    const off = i * dim;
    const cOff = c * dim;
    for (let d = 0; d < dim; d++) sums[cOff + d] += sample[off + d];
  }
  for (let c = 0; c < k; c++) {
    if (sizes[c] === 0) continue;
    const cOff = c * dim;
    let norm2 = 0;
    for (let d = 0; d < dim; d++) {
      const v = sums[cOff + d] / sizes[c];
      sums[cOff + d] = v;
      norm2 += v * v;
    }
    const scale = metric === 'IP' && norm2 > 0 ? 1 / Math.sqrt(norm2) : 1;
    for (let d = 0; d < dim; d++) centroids[cOff + d] = sums[cOff + d] * scale;
  }
  reseedEmpty(sample, s, dim, k, assign, score, metric, sizes, centroids);
}

/** Moves each empty centroid onto a far point (largest distance, or smallest IP; ties → smaller row). */
function reseedEmpty(sample: Float32Array, s: number, dim: number, k: number, assign: Int32Array, score: Float32Array, metric: KMeansMetric, sizes: Int32Array, centroids: Float32Array): void {
  let empty = 0;
  for (let c = 0; c < k; c++) if (sizes[c] === 0) empty++;
  if (empty === 0) return;
  const far = Array.from({ length: s }, (_, i) => i);
  const badness = (i: number) => (metric === 'L2' ? score[i] : -score[i]);
  far.sort((a, b) => badness(b) - badness(a) || a - b);
  let next = 0;
  for (let c = 0; c < k; c++) {
    if (sizes[c] !== 0) continue;
    while (next < s && sizes[assign[far[next]]] < 2) next++;
    if (next >= s) return; // fewer distinct donors than empty clusters: leave the rest as they are
    const row = far[next++];
    sizes[assign[row]]--;
    sizes[c] = 1;
    centroids.set(sample.subarray(row * dim, (row + 1) * dim), c * dim);
    if (metric === 'IP') scaleToUnit(centroids, c * dim, dim);
  }
}

/** Scales the `dim` floats at `off` to unit L2 norm (a zero vector stays zero). */
function scaleToUnit(v: Float32Array, off: number, dim: number): void {
  let norm2 = 0;
  for (let d = 0; d < dim; d++) norm2 += v[off + d] * v[off + d];
  if (norm2 === 0) return;
  const scale = 1 / Math.sqrt(norm2);
  for (let d = 0; d < dim; d++) v[off + d] *= scale;
}
