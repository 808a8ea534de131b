import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode, ShoalError } from '@shoal/actors';
import { buildIndex, FlatIndex, INDEX_FORMAT_VERSION, loadIndex, loadIndexAsync } from '../src/index.ts';
import type { IndexType, MetricType, VectorIndex } from '../src/index.ts';
import { randomVectors } from './helpers.ts';

const METRICS: MetricType[] = ['L2', 'IP', 'COSINE'];
const TYPES: IndexType[] = ['FLAT', 'HNSW'];
const DIM = 6;
const N = 200;
const base = randomVectors(N, DIM, 5);
const queries = randomVectors(7, DIM, 6);

function build(type: IndexType, metric: MetricType): VectorIndex {
  return buildIndex({ type, metric, dim: DIM, params: {} }, base, N, { seed: 9 });
}

function ioFailed(fn: () => unknown, pattern: RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ShoalError);
    expect((err as ShoalError).code).toBe(ErrorCode.IoFailed);
    expect((err as Error).message).toMatch(pattern);
    return;
  }
  expect.fail('expected an IoFailed error');
}

/** Replaces `from` by `to` (same length) in the JSON header and refreshes the CRC. */
function editHeader(bytes: Uint8Array, from: string, to: string): Uint8Array {
  expect(to.length).toBe(from.length);
  const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(12, true);
  const header = new TextDecoder().decode(bytes.subarray(16, 16 + length));
  expect(header).toContain(from);
  const out = bytes.slice();
  out.set(new TextEncoder().encode(header.replace(from, to)), 16);
  return withFreshCrc(out);
}

/** Rewrites the trailing CRC-32 after editing a file, so that the later checks are reached. */
function withFreshCrc(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  new DataView(out.buffer).setUint32(out.length - 4, crc32(out.subarray(0, out.length - 4)), true);
  return out;
}

describe('index files', () => {
  for (const type of TYPES) {
    for (const metric of METRICS) {
      it(`${type}/${metric}: serialize(load(serialize(x))) is bit-identical and searches the same`, async () => {
        const index = build(type, metric);
        const bytes = index.serialize();
        const loaded = loadIndex(bytes);
        expect(loaded.spec).toEqual(index.spec);
        expect(loaded.count).toBe(N);
        expect(Buffer.from(loaded.serialize()).equals(Buffer.from(bytes))).toBe(true);
        const asyncLoaded = await loadIndexAsync(bytes);
        expect(Buffer.from(asyncLoaded.serialize()).equals(Buffer.from(bytes))).toBe(true);
        const want = index.search(queries, 7, 10, { ef: 50 });
        expect(loaded.search(queries, 7, 10, { ef: 50 })).toEqual(want);
        expect(asyncLoaded.search(queries, 7, 10, { ef: 50 })).toEqual(want);
      });
    }
  }

  it('stores the normalized spec (defaults filled in)', () => {
    expect(loadIndex(build('HNSW', 'L2').serialize()).spec).toEqual({ type: 'HNSW', metric: 'L2', dim: DIM, params: { M: 16, efConstruction: 200 } });
  });

  it('FLAT load views the vectors in place when aligned, and copies when not', () => {
    const bytes = build('FLAT', 'COSINE').serialize();
    const inPlace = loadIndex(bytes) as FlatIndex;
    expect(inPlace.vectors.buffer).toBe(bytes.buffer);
    expect(inPlace.invNorms!.buffer).toBe(bytes.buffer);
    const shifted = new Uint8Array(bytes.length + 1).subarray(1);
    shifted.set(bytes);
    const copied = loadIndex(shifted) as FlatIndex;
    expect(copied.vectors.buffer).not.toBe(shifted.buffer);
    expect(copied.search(queries, 7, 5)).toEqual(inPlace.search(queries, 7, 5));
  });

  for (const type of TYPES) {
    it(`${type}: any flipped bit is detected`, () => {
      const bytes = build(type, 'L2').serialize();
      fc.assert(
        fc.property(fc.nat(bytes.length - 1), fc.integer({ min: 0, max: 7 }), (at, bit) => {
          const bad = bytes.slice();
          bad[at] ^= 1 << bit;
          ioFailed(() => loadIndex(bad), at < 8 ? /magic/ : /CRC-32 mismatch/);
        }),
        { numRuns: 200 },
      );
    });
  }

  it('rejects truncated, foreign, future-version and inconsistent files', () => {
    const bytes = build('FLAT', 'L2').serialize();
    ioFailed(() => loadIndex(bytes.subarray(0, 10)), /shorter than/);
    ioFailed(() => loadIndex(bytes.subarray(0, bytes.length - 1)), /CRC-32 mismatch/);
    ioFailed(() => loadIndex(new TextEncoder().encode('definitely not an index file')), /magic/);
    const future = bytes.slice();
    new DataView(future.buffer).setUint32(8, INDEX_FORMAT_VERSION + 1, true);
    ioFailed(() => loadIndex(withFreshCrc(future)), /version 2 is not supported/);
    ioFailed(() => loadIndex(editHeader(bytes, '"dim":6', '"dim":7')), /FLAT index payload has \d+ bytes, expected/);
    ioFailed(() => loadIndex(editHeader(bytes, '"type":"FLAT"', '"type":"FLAX"')), /invalid spec: index_type="FLAX"/);
    ioFailed(() => loadIndex(editHeader(bytes, '"metric":"L2"', '"metric":"L3"')), /invalid spec: metric_type="L3"/);
  });

  it('rejects an HNSW payload that does not match its header', () => {
    const bytes = build('HNSW', 'IP').serialize();
    ioFailed(() => loadIndex(editHeader(bytes, `"count":${N}`, `"count":${N - 1}`)), /holds 200 × 6 vectors, the header announces 199 × 6/);
  });
});
