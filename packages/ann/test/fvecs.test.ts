import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode, ShoalError } from '@shoal/actors';
import { parseFvecs, parseIvecs } from '../src/index.ts';

/** Encodes vectors in the fvecs/ivecs layout. */
function encode(rows: number[][], float: boolean): Uint8Array {
  const bytes = new Uint8Array(rows.reduce((n, r) => n + 4 + 4 * r.length, 0));
  const view = new DataView(bytes.buffer);
  let at = 0;
  for (const row of rows) {
    view.setInt32(at, row.length, true);
    at += 4;
    for (const v of row) {
      if (float) view.setFloat32(at, v, true);
      else view.setInt32(at, v, true);
      at += 4;
    }
  }
  return bytes;
}

function importFailed(fn: () => unknown, pattern: RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ShoalError);
    expect((err as ShoalError).code).toBe(ErrorCode.ImportFailed);
    expect((err as Error).message).toMatch(pattern);
    return;
  }
  expect.fail('expected an ImportFailed error');
}

describe('fvecs / ivecs', () => {
  it('round-trips random files, aligned or not', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }).chain((dim) => fc.array(fc.array(fc.float({ noNaN: true }), { minLength: dim, maxLength: dim }), { maxLength: 20 })),
        fc.boolean(),
        (rows, shift) => {
          let bytes = encode(rows, true);
          if (shift) {
            const s = new Uint8Array(bytes.length + 1).subarray(1);
            s.set(bytes);
            bytes = s;
          }
          const parsed = parseFvecs(bytes);
          expect(parsed.count).toBe(rows.length);
          if (rows.length > 0) expect(parsed.dim).toBe(rows[0].length);
          expect(Array.from(parsed.data)).toEqual(rows.flat());
        },
      ),
    );
    const ints = parseIvecs(encode([[1, -2, 3], [4, 5, 2147483647]], false));
    expect(ints).toEqual({ count: 2, dim: 3, data: Int32Array.from([1, -2, 3, 4, 5, 2147483647]) });
    expect(parseFvecs(new Uint8Array(0))).toEqual({ count: 0, dim: 0, data: new Float32Array(0) });
  });

  it('reports truncated and inconsistent input with the byte offset', () => {
    const good = encode([[1, 2], [3, 4], [5, 6]], true);
    importFailed(() => parseFvecs(good.subarray(0, 2)), /invalid fvecs input: truncated dimension word at byte offset 0/);
    importFailed(() => parseFvecs(good.subarray(0, good.length - 3)), /truncated vector \(9 of 12 bytes\) at byte offset 24/);
    importFailed(() => parseFvecs(good.subarray(0, 26)), /truncated vector \(2 of 12 bytes\) at byte offset 24/);
    importFailed(() => parseFvecs(encode([[1, 2], [3, 4, 5]], true)), /dimension 3 differs from 2 at byte offset 12/);
    importFailed(() => parseIvecs(encode([[1, 2], [3], [4, 5]], false)), /invalid ivecs input: dimension 1 differs from 2 at byte offset 12/);
    importFailed(() => parseIvecs(encode([[]], false)), /dimension 0 at byte offset 0 is not positive/);
  });
});
