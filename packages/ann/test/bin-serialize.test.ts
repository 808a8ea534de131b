import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ErrorCode, ShoalError } from '@shoal/actors';
import { buildIndex, loadIndex, loadIndexAsync } from '../src/index.ts';
import type { IndexSpec, VectorIndex } from '../src/index.ts';
import { randomBits } from './bin-helpers.ts';

const N = 300;

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

/** Rewrites the trailing CRC-32 after editing a file, so that the later checks are reached. */
function withFreshCrc(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  new DataView(out.buffer).setUint32(out.length - 4, crc32(out.subarray(0, out.length - 4)), true);
  return out;
}

/** The byte offset of the payload in an index file (8-aligned after the JSON header). */
function payloadStart(bytes: Uint8Array): number {
  return (16 + new DataView(bytes.buffer, bytes.byteOffset).getUint32(12, true) + 7) & ~7;
}

const cases: { spec: IndexSpec; dim: number }[] = [];
for (const type of ['BIN_FLAT', 'BIN_IVF_FLAT'] as const) {
  for (const metric of ['HAMMING', 'JACCARD'] as const) {
    // 24 bits: rows padded to one word; 256 bits: rows viewed in place.
    for (const dim of [24, 256]) cases.push({ spec: { type, metric, dim, params: type === 'BIN_IVF_FLAT' ? { nlist: 12 } : {} }, dim });
  }
}

describe('binary index files', () => {
  for (const { spec, dim } of cases) {
    it(`${spec.type}/${spec.metric}/dim=${dim}: serialize(load(x)) = x, searches the same, a flipped byte is detected`, async () => {
      const base = randomBits(N, dim / 8, dim);
      const queries = randomBits(5, dim / 8, dim + 1);
      const index: VectorIndex = buildIndex(spec, base, N, { seed: 4 });
      const bytes = index.serialize();
      const loaded = loadIndex(bytes);
      expect(loaded.spec).toEqual(index.spec);
      expect(loaded.count).toBe(N);
      expect(loaded.memoryBytes()).toBe(index.memoryBytes());
      expect(Buffer.from(loaded.serialize()).equals(Buffer.from(bytes))).toBe(true);
      const params = { nprobe: 3 };
      expect(loaded.search(queries, 5, 7, params)).toEqual(index.search(queries, 5, 7, params));
      expect((await loadIndexAsync(bytes)).search(queries, 5, 7, params)).toEqual(index.search(queries, 5, 7, params));
      // From a buffer at an odd offset: the payload is copied instead of viewed, same answers.
      const odd = new Uint8Array(bytes.length + 1);
      odd.set(bytes, 1);
      expect(loadIndex(odd.subarray(1)).search(queries, 5, 7, params)).toEqual(index.search(queries, 5, 7, params));
      const flipped = bytes.slice();
      flipped[payloadStart(bytes) + 5] ^= 0x20;
      ioFailed(() => loadIndex(flipped), /CRC-32 mismatch/);
      ioFailed(() => loadIndex(bytes.subarray(0, bytes.length - 9)), /corrupt|CRC/);
    });
  }

  it('a payload of the wrong size or with inconsistent lists is IoFailed, naming the index type', () => {
    const base = randomBits(N, 4, 1);
    const flat = buildIndex({ type: 'BIN_FLAT', metric: 'HAMMING', dim: 32, params: {} }, base, N, { seed: 0 }).serialize();
    // Claim one row fewer in the header (same header length): the payload no longer fits.
    const header = new TextDecoder().decode(flat.subarray(16, 16 + new DataView(flat.buffer).getUint32(12, true)));
    const edited = flat.slice();
    edited.set(new TextEncoder().encode(header.replace('"count":300', '"count":299')), 16);
    ioFailed(() => loadIndex(withFreshCrc(edited)), /BIN_FLAT index payload has 1200 bytes, expected exactly 1196/);
    const ivf = buildIndex({ type: 'BIN_IVF_FLAT', metric: 'JACCARD', dim: 32, params: { nlist: 4 } }, base, N, { seed: 0 }).serialize();
    // The payload opens with 4 centroid words, then the 5 list offsets: break offsets[0].
    const bad = ivf.slice();
    new DataView(bad.buffer).setInt32(payloadStart(ivf) + 4 * 4, 7, true);
    ioFailed(() => loadIndex(withFreshCrc(bad)), /BIN_IVF_FLAT index payload holds inconsistent inverted lists for 300 rows and nlist=4/);
  });

  it('a header whose binary spec breaks the dim rule is a corrupt file', () => {
    const bytes = buildIndex({ type: 'BIN_FLAT', metric: 'HAMMING', dim: 32, params: {} }, randomBits(3, 4, 2), 3, { seed: 0 }).serialize();
    const length = new DataView(bytes.buffer).getUint32(12, true);
    const header = new TextDecoder().decode(bytes.subarray(16, 16 + length));
    const edited = bytes.slice();
    edited.set(new TextEncoder().encode(header.replace('"dim":32', '"dim":33')), 16);
    ioFailed(() => loadIndex(withFreshCrc(edited)), /invalid spec: BIN_FLAT index parameter dim=33 is invalid/);
  });
});
