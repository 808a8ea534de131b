import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ShoalError } from '@shoal/actors';
import { fvecsShape, readFvecsBatches } from '../src/cli/fvecs-source.ts';
import { detectFormat } from '../src/cli/import.ts';
import { batched, vectorRows } from '../src/cli/rows.ts';

/** `.fvecs` bytes of `count` vectors of `dim` floats, value of row r column c = r * 1000 + c. */
function fvecsBytes(count: number, dim: number): Buffer {
  const buf = Buffer.alloc(count * (4 + 4 * dim));
  for (let r = 0; r < count; r++) {
    const at = r * (4 + 4 * dim);
    buf.writeInt32LE(dim, at);
    for (let c = 0; c < dim; c++) buf.writeFloatLE(r * 1000 + c, at + 4 + 4 * c);
  }
  return buf;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoal-cli-rows-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('batched', () => {
  it('groups any stream into full batches and a shorter last one, losing nothing', async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.integer(), { maxLength: 50 }), fc.integer({ min: 1, max: 12 }), async (items, size) => {
      const out: number[][] = [];
      for await (const b of batched(items, size)) out.push(b);
      expect(out.flat()).toEqual(items);
      expect(out.every((b, i) => b.length === (i < out.length - 1 ? size : b.length) && b.length > 0 && b.length <= size)).toBe(true);
      expect(out.length).toBe(Math.ceil(items.length / size));
    }));
  });

  it('rejects a batch size that is not a positive integer', async () => {
    await expect(batched([1], 0).next()).rejects.toThrow(RangeError);
  });
});

describe('fvecs → rows', () => {
  it('streams batches of whole vectors and numbers rows from id-start', async () => {
    const path = join(dir, 'seven.fvecs');
    await writeFile(path, fvecsBytes(7, 3));
    expect(await fvecsShape(path)).toEqual({ dim: 3, count: 7, bytes: 7 * 16 });
    const rows = [];
    const sizes = [];
    for await (const b of readFvecsBatches(path, 3)) {
      sizes.push(b.count);
      rows.push(...vectorRows(b, { idStart: 100, vectorField: 'emb' }));
    }
    expect(sizes).toEqual([3, 3, 1]);
    expect(rows).toHaveLength(7);
    expect(rows[0]).toEqual({ id: 100, emb: [0, 1, 2] });
    expect(rows[6]).toEqual({ id: 106, emb: [6000, 6001, 6002] });
  });

  it('names the truncated record of a file that is not whole records', async () => {
    const path = join(dir, 'truncated.fvecs');
    await writeFile(path, fvecsBytes(3, 4).subarray(0, 3 * 20 - 2));
    await expect(fvecsShape(path)).rejects.toThrow(/truncated at byte offset 40/);
  });

  it('names the byte offset and row of an inconsistent dimension', async () => {
    const path = join(dir, 'mixed.fvecs');
    const bytes = fvecsBytes(4, 2);
    bytes.writeInt32LE(5, 2 * 12);
    await writeFile(path, bytes);
    const read = async () => {
      for await (const _ of readFvecsBatches(path, 2)) { /* drain */ }
    };
    await expect(read()).rejects.toThrow(ShoalError);
    await expect(read()).rejects.toThrow(/dimension 5 differs from 2 at byte offset 24 \(row 2\)/);
  });
});

describe('import format detection', () => {
  it('reads the extension unless --format says otherwise', () => {
    expect(detectFormat('a/base.fvecs')).toBe('fvecs');
    expect(detectFormat('rows.JSONL')).toBe('jsonl');
    expect(detectFormat('rows.ndjson')).toBe('jsonl');
    expect(detectFormat('rows.txt', 'jsonl')).toBe('jsonl');
    expect(() => detectFormat('rows.txt')).toThrow(/--format fvecs or --format jsonl/);
    expect(() => detectFormat('rows.txt', 'csv')).toThrow(/--format must be fvecs or jsonl/);
  });
});
