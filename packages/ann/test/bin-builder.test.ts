import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCode, ShoalError } from '@shoal/actors';
import { InlineIndexBuilder } from '../src/index.ts';
import type { IndexSpec } from '../src/index.ts';
import { WorkerPoolIndexBuilder } from '../src/node/index.ts';
import { randomBits } from './bin-helpers.ts';

const BYTES = 16;
const N = 1500;
const base = randomBits(N, BYTES, 31);
const queries = randomBits(4, BYTES, 32);
const ivf: IndexSpec = { type: 'BIN_IVF_FLAT', metric: 'JACCARD', dim: BYTES * 8, params: { nlist: 16 } };
const flat: IndexSpec = { type: 'BIN_FLAT', metric: 'HAMMING', dim: BYTES * 8, params: {} };

async function rejection(p: Promise<unknown>): Promise<ShoalError> {
  const err = await p.then(() => expect.fail('expected a rejection'), (e: unknown) => e);
  expect(err).toBeInstanceOf(ShoalError);
  return err as ShoalError;
}

describe('WorkerPoolIndexBuilder with binary indexes', () => {
  const pool = new WorkerPoolIndexBuilder({ size: 2 });
  const inline = new InlineIndexBuilder();
  afterAll(() => pool.close());

  it('builds BIN_IVF_FLAT and BIN_FLAT in workers, bit-identical to the inline builder', { timeout: 60_000 }, async () => {
    // A Node Buffer whose slice() would be a view: the pool must copy it, not transfer it away.
    const asBuffer = Buffer.from(base);
    const progress: number[] = [];
    const [a, b] = await Promise.all([pool.build(ivf, asBuffer, N, 5, (done) => progress.push(done)), pool.build(flat, base, N, 5)]);
    const refA = await inline.build(ivf, base, N, 5);
    const refB = await inline.build(flat, base, N, 5);
    expect(Buffer.from(a.serialize()).equals(Buffer.from(refA.serialize()))).toBe(true);
    expect(Buffer.from(b.serialize()).equals(Buffer.from(refB.serialize()))).toBe(true);
    expect(a.search(queries, 4, 10, { nprobe: 4 })).toEqual(refA.search(queries, 4, 10, { nprobe: 4 }));
    expect(b.search(queries, 4, 10)).toEqual(refB.search(queries, 4, 10));
    expect(progress.at(-1)).toBe(N);
    expect(asBuffer.length).toBe(N * BYTES);
    expect(base.length).toBe(N * BYTES);
  });

  it('rejects vectors of the wrong kind before a worker, and too few bytes from inside one', async () => {
    const wrongKind = await rejection(pool.build(flat, new Float32Array(N * 4), N, 1));
    expect(wrongKind.code).toBe(ErrorCode.ParameterInvalid);
    expect(wrongKind.message).toMatch(/BIN_FLAT index expects binary build vectors \(Uint8Array of count × dim\/8 bytes\), got Float32Array/);
    const floatIndex = await rejection(pool.build({ type: 'FLAT', metric: 'L2', dim: 4, params: {} }, base, 10, 1));
    expect(floatIndex.message).toMatch(/FLAT index expects float build vectors/);
    const short = await rejection(pool.build(ivf, base.subarray(0, 40), 3, 1));
    expect(short.message).toMatch(/build vectors hold 40 bytes, fewer than count × dim\/8 = 3 × 16/);
  });
});
