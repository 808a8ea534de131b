import { crc32 } from 'node:zlib';
import { DYNAMIC_FIELD, allocColumn, columnWidth } from '@shoal/shard';
import type { CollectionSchema, Column, ColumnBatch, PrimaryKey } from '@shoal/shard';

const utf8 = new TextEncoder();

/**
 * The shard that owns primary key `pk` among `shardsNum` (DESIGN.md: "hash of primary key").
 * Int64 keys: the 64-bit value folded to 32 bits and mixed with MurmurHash3's fmix32 finaliser;
 * VarChar keys: CRC-32 of the UTF-8 bytes (as Milvus hashes strings). Stable across versions:
 * changing it would misplace existing rows.
 */
export function shardOf(pk: PrimaryKey, shardsNum: number): number {
  if (shardsNum === 1) return 0;
  let h: number;
  if (typeof pk === 'string') h = crc32(utf8.encode(pk));
  else {
    h = Number(BigInt.asUintN(32, pk ^ (pk >> 32n)));
    h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b); h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35); h ^= h >>> 16;
  }
  return (h >>> 0) % shardsNum;
}

/**
 * Splits a batch by owning shard. Returns, per shard number, its sub-batch (absent when empty).
 * `pkName` must be filled in for every row.
 */
export function splitByShard(schema: CollectionSchema, batch: ColumnBatch, pkName: string, shardsNum: number): Map<number, ColumnBatch> {
  const out = new Map<number, ColumnBatch>();
  if (shardsNum === 1) { out.set(0, batch); return out; }
  const keys = batch.columns[pkName] as ArrayLike<PrimaryKey>;
  const rowsOf = new Map<number, number[]>();
  for (let i = 0; i < batch.numRows; i++) {
    const s = shardOf(keys[i], shardsNum);
    let rows = rowsOf.get(s);
    if (!rows) rowsOf.set(s, (rows = []));
    rows.push(i);
  }
  for (const [s, rows] of rowsOf) out.set(s, selectRows(schema, batch, rows));
  return out;
}

/** The rows `rows` (offsets) of a batch as a new batch (with their `$meta` objects and validity). */
export function selectRows(schema: CollectionSchema, batch: ColumnBatch, rows: number[]): ColumnBatch {
  const columns: Record<string, Column> = {};
  for (const f of schema.fields) {
    const src = batch.columns[f.name];
    if (src === undefined) continue;
    if (Array.isArray(src)) { columns[f.name] = rows.map((r) => src[r]); continue; }
    const width = columnWidth(f);
    const dst = allocColumn(f, rows.length) as Float32Array;
    const s = src as Float32Array;
    rows.forEach((r, i) => dst.set(s.subarray(r * width, (r + 1) * width), i * width));
    columns[f.name] = dst;
  }
  const meta = batch.columns[DYNAMIC_FIELD] as unknown[] | undefined;
  if (meta) columns[DYNAMIC_FIELD] = rows.map((r) => meta[r]);
  if (!batch.valid) return { numRows: rows.length, columns };
  const valid: Record<string, Uint8Array> = {};
  for (const [name, v] of Object.entries(batch.valid)) valid[name] = Uint8Array.from(rows, (r) => v[r]);
  return { numRows: rows.length, columns, valid };
}
