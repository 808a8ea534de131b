import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@shoal/actors';
import { Bitset, buildIndex, loadIndex, validateIndexSpec, validateSearchParams } from '../src/index.ts';
import type { IndexSpec, MetricType } from '../src/index.ts';
import { IvfFlatIndex } from '../src/ivf-flat.ts';
import { PayloadReader } from '../src/payload.ts';
import { randomVectors, recallAtK } from './helpers.ts';
import { rejects } from './helpers.ts';

const METRICS: MetricType[] = ['L2', 'IP', 'COSINE'];

const spec = (metric: MetricType, params: Record<string, unknown>, dim = 8): IndexSpec => ({ type: 'IVF_FLAT', metric, dim, params: params as IndexSpec['params'] });

// That nprobe = nlist gives exactly FLAT's answer (with filters and range windows) is a property
// of exhaustive.property.test.ts, shared by every index type.
describe('IVF_FLAT', () => {
  it('reaches good recall with few probes on clustered data, and more with more probes', () => {
    const dim = 16;
    const n = 4000;
    const centres = randomVectors(40, dim, 1);
    const noise = randomVectors(n, dim, 2);
    const base = new Float32Array(n * dim);
    for (let i = 0; i < n * dim; i++) base[i] = centres[(Math.floor(i / dim) % 40) * dim + (i % dim)] * 4 + noise[i];
    const queries = randomVectors(50, dim, 3).map((v, i) => v + base[i]);
    const flat = buildIndex({ type: 'FLAT', metric: 'L2', dim, params: {} }, base, n, { seed: 0 });
    const truth = flat.search(queries, 50, 10);
    const ivf = buildIndex(spec('L2', { nlist: 40 }, dim), base, n, { seed: 4 });
    const r1 = recallAtK(ivf.search(queries, 50, 10, { nprobe: 1 }), truth.ids, 10, 10);
    const r8 = recallAtK(ivf.search(queries, 50, 10, { nprobe: 8 }), truth.ids, 10, 10);
    expect(r1).toBeGreaterThan(0.8);
    expect(r8).toBeGreaterThan(0.99);
    expect(r8).toBeGreaterThanOrEqual(r1);
  });

  it('filtered search returns only passing rows, best first, padding with −1', () => {
    const base = randomVectors(500, 8, 5);
    const queries = randomVectors(4, 8, 6);
    const ivf = buildIndex(spec('IP', { nlist: 10 }), base, 500, { seed: 1 });
    const filter = new Bitset(500);
    for (let i = 0; i < 500; i += 97) filter.set(i);
    const res = ivf.search(queries, 4, 10, { nprobe: 10 }, filter);
    for (let q = 0; q < 4; q++) {
      const ids = Array.from(res.ids.subarray(q * 10, q * 10 + 10));
      expect(ids.slice(0, 6).every((id) => filter.get(id))).toBe(true);
      expect(ids.slice(6)).toEqual([-1, -1, -1, -1]);
      const scores = Array.from(res.scores.subarray(q * 10, q * 10 + 6));
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
    }
    // With few probes a filtered search still never returns a filtered-out row.
    const few = ivf.search(queries, 4, 10, { nprobe: 2 }, filter);
    for (const id of few.ids) expect(id === -1 || filter.get(id)).toBe(true);
  });

  it('validates nlist, nprobe and the row count, naming the parameter and range', () => {
    const P = ErrorCode.ParameterInvalid;
    expect(validateIndexSpec(spec('L2', {})).params).toEqual({ nlist: 128 });
    rejects(() => validateIndexSpec(spec('L2', { nlist: 0 })), P, /^IVF_FLAT build parameter nlist=0 is out of range; allowed range \[1, 65536\]$/);
    rejects(() => validateIndexSpec(spec('L2', { nlist: 65537 })), P, /nlist=65537 is out of range/);
    rejects(() => validateIndexSpec(spec('L2', { nlist: 1.5 })), P, /nlist=1.5 is not an integer/);
    rejects(() => validateIndexSpec(spec('L2', { nlist: 4, m: 2 })), P, /IVF_FLAT build parameter m=2 is not supported; allowed parameters: nlist/);
    rejects(() => validateSearchParams(spec('L2', { nlist: 16 }), 10, { nprobe: 17 }), P, /IVF_FLAT search \(nlist=16\) parameter nprobe=17 is out of range; allowed range \[1, 16\]/);
    rejects(() => validateSearchParams(spec('L2', {}), 10, { nprobe: 0 }), P, /nprobe=0 is out of range; allowed range \[1, 128\]/);
    validateSearchParams(spec('L2', {}), 10, { nprobe: 128, ef: 3 });
    const base = randomVectors(20, 8, 1);
    rejects(() => buildIndex(spec('L2', { nlist: 21 }), base, 20, { seed: 1 }), P, /IVF_FLAT build needs at least nlist=21 rows to train its coarse quantizer, got 20 rows/);
    const ivf = buildIndex(spec('L2', { nlist: 4 }), base, 20, { seed: 1 });
    rejects(() => ivf.search(base.subarray(0, 8), 1, 3, { nprobe: 5 }), P, /nprobe=5 is out of range; allowed range \[1, 4\]/);
    rejects(() => ivf.search(base.subarray(0, 7), 1, 3), P, /search vectors hold 7 floats/);
    expect(() => ivf.search(base.subarray(0, 8), 1, 3, undefined, new Bitset(19))).toThrow(RangeError);
    // Default nprobe is min(8, nlist): 4 here, so every list is probed.
    expect(ivf.search(base.subarray(0, 8), 1, 1).ids[0]).toBe(0);
  });

  for (const metric of METRICS) {
    it(`${metric}: is deterministic from its seed and round-trips bit-identically`, () => {
      const base = randomVectors(300, 8, 7);
      const queries = randomVectors(5, 8, 8);
      const a = buildIndex(spec(metric, { nlist: 12 }), base, 300, { seed: 3 });
      const bytes = a.serialize();
      expect(Buffer.from(buildIndex(spec(metric, { nlist: 12 }), base, 300, { seed: 3 }).serialize()).equals(Buffer.from(bytes))).toBe(true);
      const loaded = loadIndex(bytes) as IvfFlatIndex;
      expect(loaded).toBeInstanceOf(IvfFlatIndex);
      expect(loaded.vectors.buffer).toBe(bytes.buffer); // viewed in place
      expect(Buffer.from(loaded.serialize()).equals(Buffer.from(bytes))).toBe(true);
      expect(loaded.search(queries, 5, 7, { nprobe: 3 })).toEqual(a.search(queries, 5, 7, { nprobe: 3 }));
      const shifted = new Uint8Array(bytes.length + 1).subarray(1);
      shifted.set(bytes);
      expect(loadIndex(shifted).search(queries, 5, 7, { nprobe: 3 })).toEqual(a.search(queries, 5, 7, { nprobe: 3 }));
      expect(a.memoryBytes()).toBe(300 * 8 * 4 + (metric === 'COSINE' ? 300 * 8 : 0) + 12 * 8 * 4 + 13 * 4 + 300 * 4);
    });
  }

  it('detects a flipped byte and a payload that does not fit its header', () => {
    const bytes = buildIndex(spec('COSINE', { nlist: 5 }), randomVectors(50, 8, 1), 50, { seed: 1 }).serialize();
    fc.assert(
      fc.property(fc.nat(bytes.length - 1), fc.integer({ min: 0, max: 7 }), (at, bit) => {
        const bad = bytes.slice();
        bad[at] ^= 1 << bit;
        rejects(() => loadIndex(bad), ErrorCode.IoFailed, at < 8 ? /magic/ : /CRC-32 mismatch/);
      }),
      { numRuns: 100 },
    );
    // A header whose count disagrees with the payload (CRC refreshed so the check is reached).
    const length = new DataView(bytes.buffer).getUint32(12, true);
    const header = new TextDecoder().decode(bytes.subarray(16, 16 + length));
    const edited = bytes.slice();
    edited.set(new TextEncoder().encode(header.replace('"count":50', '"count":49')), 16);
    new DataView(edited.buffer).setUint32(edited.length - 4, crc32(edited.subarray(0, edited.length - 4)), true);
    rejects(() => loadIndex(bytes.subarray(0, 100)), ErrorCode.IoFailed, /CRC-32 mismatch/);
    rejects(() => loadIndex(edited), ErrorCode.IoFailed, /IVF_FLAT index payload holds inconsistent inverted lists for 49 rows and nlist=5/);
  });

  it('payload reader: rejects short and over-long payloads', () => {
    rejects(() => new PayloadReader(new Uint8Array(10), 'IVF_X').f32(3), ErrorCode.IoFailed, /IVF_X index payload has 10 bytes, expected at least 12/);
    const reader = new PayloadReader(new Uint8Array(10), 'IVF_X');
    expect(reader.f32(2)).toEqual(new Float32Array(2));
    rejects(() => reader.end(), ErrorCode.IoFailed, /has 10 bytes, expected exactly 8/);
  });
});
