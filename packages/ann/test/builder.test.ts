import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCode, ShoalError } from '@shoal/actors';
import { InlineIndexBuilder } from '../src/index.ts';
import type { IndexSpec } from '../src/index.ts';
import { WorkerPoolIndexBuilder } from '../src/node/index.ts';
import { randomVectors } from './helpers.ts';

const DIM = 12;
const N = 3000;
const base = randomVectors(N, DIM, 21);
const queries = randomVectors(5, DIM, 22);
const hnsw: IndexSpec = { type: 'HNSW', metric: 'COSINE', dim: DIM, params: { M: 12 } };
const flat: IndexSpec = { type: 'FLAT', metric: 'IP', dim: DIM, params: {} };

async function rejection(p: Promise<unknown>): Promise<ShoalError> {
  const err = await p.then(() => expect.fail('expected a rejection'), (e: unknown) => e);
  expect(err).toBeInstanceOf(ShoalError);
  return err as ShoalError;
}

describe('WorkerPoolIndexBuilder', () => {
  const pool = new WorkerPoolIndexBuilder({ size: 2 });
  const inline = new InlineIndexBuilder();
  afterAll(() => pool.close());

  it('builds the same index as the inline builder for the same seed', { timeout: 60_000 }, async () => {
    const progress: number[] = [];
    const [a, b, c] = await Promise.all([
      pool.build(hnsw, base, N, 5, (done) => progress.push(done)),
      pool.build(flat, base, N, 5),
      pool.build(hnsw, base, N, 6),
    ]);
    const refA = await inline.build(hnsw, base, N, 5);
    const refB = await inline.build(flat, base, N, 5);
    expect(Buffer.from(a.serialize()).equals(Buffer.from(refA.serialize()))).toBe(true);
    expect(Buffer.from(b.serialize()).equals(Buffer.from(refB.serialize()))).toBe(true);
    expect(Buffer.from(c.serialize()).equals(Buffer.from(refA.serialize()))).toBe(false);
    expect(a.search(queries, 5, 10)).toEqual(refA.search(queries, 5, 10));
    expect(b.search(queries, 5, 10)).toEqual(refB.search(queries, 5, 10));
    expect(progress.at(-1)).toBe(N);
    // The caller's vectors are copied, not transferred away.
    expect(base.length).toBe(N * DIM);
  });

  it('rejects invalid specs before and build errors from inside a worker', async () => {
    expect((await rejection(pool.build({ ...hnsw, params: { M: 1 } }, base, N, 1))).code).toBe(ErrorCode.ParameterInvalid);
    const fromWorker = await rejection(pool.build(hnsw, base.subarray(0, 10), 2, 1));
    expect(fromWorker.code).toBe(ErrorCode.ParameterInvalid);
    expect(fromWorker.message).toMatch(/build vectors hold 10 floats, fewer than count × dim = 2 × 12/);
    // The pool still works afterwards.
    expect((await pool.build(flat, base, 10, 1)).count).toBe(10);
  });

  it('rejects builds once closed', async () => {
    const other = new WorkerPoolIndexBuilder({ size: 1 });
    const pending = rejection(other.build(hnsw, base, N, 1));
    await other.close();
    expect((await pending).code).toBe(ErrorCode.ServiceUnavailable);
    expect((await rejection(other.build(flat, base, 1, 1))).code).toBe(ErrorCode.ServiceUnavailable);
    await other.close();
  });

  it('has a default size of max(1, CPUs − 1) and rejects a bad size', () => {
    expect(new WorkerPoolIndexBuilder().size).toBeGreaterThanOrEqual(1);
    expect(() => new WorkerPoolIndexBuilder({ size: 0 })).toThrow(RangeError);
  });
});

describe('InlineIndexBuilder', () => {
  it('rejects errors and builds after close', async () => {
    const inline = new InlineIndexBuilder();
    expect((await rejection(inline.build(hnsw, base, N + 1, 1))).code).toBe(ErrorCode.ParameterInvalid);
    await inline.close();
    expect((await rejection(inline.build(flat, base, 1, 1))).code).toBe(ErrorCode.ServiceUnavailable);
  });
});
