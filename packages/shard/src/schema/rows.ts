import { invalidParameter } from '@shoal/actors';
import type { CollectionSchema, Column, ColumnBatch, FieldSchema, PrimaryKey } from './types.ts';
import { columnWidth, writeBinaryVector } from './vector.ts';

const INT_RANGES = {
  Int8: [-128, 127],
  Int16: [-32_768, 32_767],
  Int32: [-2_147_483_648, 2_147_483_647],
} as const;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const utf8 = new TextEncoder();

/**
 * Converts client rows (`{ field: value }` objects, as in Milvus's insert API) to a column-wise
 * batch, validating every value against the schema. Nothing is partially converted: the first
 * bad value throws.
 *
 * Value rules: Bool `boolean`; Int8/16/32 integers in range; Int64 a safe-integer `number`, a
 * `bigint` or a decimal string, within int64; Float/Double finite numbers (Float is stored as
 * float32); VarChar a string of at most `maxLength` UTF-8 bytes; JSON any JSON value;
 * FloatVector an array (or `Float32Array`) of exactly `dim` finite numbers; BinaryVector an array
 * (or `Uint8Array`) of exactly `dim / 8` integers in [0, 255], or a base64 string of `dim / 8` bytes
 * (what Milvus's REST API accepts, see vector.ts).
 * Fields with `autoId` must be absent (the caller fills them in).
 *
 * @param rows the rows; at least one.
 * @returns the batch (autoId primary key column absent).
 * @throws ShoalError ParameterInvalid naming the row index, the field, the value's problem and what is allowed.
 */
export function rowsToBatch(schema: CollectionSchema, rows: unknown[]): ColumnBatch {
  if (!Array.isArray(rows) || rows.length === 0) throw invalidParameter('insert data must be a non-empty array of rows');
  const n = rows.length;
  const fields = schema.fields.filter((f) => !f.autoId);
  const known = new Set(schema.fields.map((f) => f.name));
  const columns: Record<string, Column> = {};
  for (const f of fields) columns[f.name] = allocColumn(f, n);
  for (let r = 0; r < n; r++) {
    const row = rows[r];
    if (row === null || typeof row !== 'object' || Array.isArray(row)) throw invalidParameter(`row ${r} must be an object of field values, got ${describe(row)}`);
    const rec = row as Record<string, unknown>;
    for (const key of Object.keys(rec)) {
      if (!known.has(key)) {
        throw invalidParameter(`row ${r}: field "${key}" does not exist in collection "${schema.name}" (the dynamic field is not enabled); fields: ${schema.fields.map((f) => f.name).join(', ')}`);
      }
    }
    for (const f of schema.fields) {
      const v = rec[f.name];
      if (f.autoId) {
        if (v !== undefined) throw invalidParameter(`row ${r}: primary key "${f.name}" is assigned automatically (autoId) and must not be given`);
        continue;
      }
      if (v === undefined || v === null) throw invalidParameter(`row ${r}: field "${f.name}" (${f.dataType}) is missing`);
      setValue(columns[f.name], f, r, v, r);
    }
  }
  return { numRows: n, columns };
}

/** An empty column able to hold `n` rows of field `f`. */
export function allocColumn(f: FieldSchema, n: number): Column {
  switch (f.dataType) {
    case 'Bool': return new Uint8Array(n);
    case 'Int8': return new Int8Array(n);
    case 'Int16': return new Int16Array(n);
    case 'Int32': return new Int32Array(n);
    case 'Int64': return new BigInt64Array(n);
    case 'Float': return new Float32Array(n);
    case 'Double': return new Float64Array(n);
    case 'VarChar': return new Array<string>(n);
    case 'JSON': case 'Array': return new Array<unknown>(n);
    case 'FloatVector': return new Float32Array(n * f.dim!);
    case 'BinaryVector': return new Uint8Array(n * columnWidth(f));
  }
}

function setValue(col: Column, f: FieldSchema, i: number, v: unknown, r: number): void {
  const bad = (allowed: string) => invalidParameter(`row ${r}: field "${f.name}" (${f.dataType}) got ${describe(v)}; expected ${allowed}`);
  switch (f.dataType) {
    case 'Bool':
      if (typeof v !== 'boolean') throw bad('true or false');
      (col as Uint8Array)[i] = v ? 1 : 0;
      return;
    case 'Int8': case 'Int16': case 'Int32': {
      const [lo, hi] = INT_RANGES[f.dataType];
      const x = typeof v === 'bigint' ? Number(v) : v;
      if (typeof x !== 'number' || !Number.isInteger(x) || x < lo || x > hi) throw bad(`an integer in [${lo}, ${hi}]`);
      (col as Int32Array)[i] = x;
      return;
    }
    case 'Int64':
      (col as BigInt64Array)[i] = toInt64(v, () => bad(`an integer in [${INT64_MIN}, ${INT64_MAX}]`));
      return;
    case 'Float': case 'Double':
      if (typeof v !== 'number' || !Number.isFinite(v)) throw bad('a finite number');
      (col as Float64Array)[i] = v;
      return;
    case 'VarChar': {
      if (typeof v !== 'string') throw bad('a string');
      const bytes = utf8.encode(v).length;
      if (bytes > f.maxLength!) throw invalidParameter(`row ${r}: field "${f.name}" is ${bytes} UTF-8 bytes long; max_length is ${f.maxLength}`);
      (col as string[])[i] = v;
      return;
    }
    case 'JSON':
      (col as unknown[])[i] = checkJson(v, () => bad('a JSON value'));
      return;
    case 'FloatVector': {
      const dim = f.dim!;
      if (!(Array.isArray(v) || v instanceof Float32Array)) throw bad(`an array of ${dim} numbers`);
      if (v.length !== dim) throw invalidParameter(`row ${r}: vector field "${f.name}" has dimension ${dim}, got a vector of length ${v.length}`);
      const out = col as Float32Array;
      const base = i * dim;
      for (let d = 0; d < dim; d++) {
        const x = v[d];
        if (typeof x !== 'number' || !Number.isFinite(x)) throw invalidParameter(`row ${r}: vector field "${f.name}" element ${d} is ${describe(x)}; expected a finite number`);
        out[base + d] = x;
      }
      return;
    }
    case 'BinaryVector': {
      const bytes = columnWidth(f);
      const problem = writeBinaryVector(v, bytes, col as Uint8Array, i * bytes);
      if (problem !== undefined) throw invalidParameter(`row ${r}: binary vector field "${f.name}" ${problem}`);
      return;
    }
  }
}

/**
 * Converts a client value to an exact int64 `bigint`: a safe-integer number, a bigint or a
 * decimal string. `onError` builds the error to throw.
 */
export function toInt64(v: unknown, onError: () => Error): bigint {
  let b: bigint;
  if (typeof v === 'bigint') b = v;
  else if (typeof v === 'number' && Number.isSafeInteger(v)) b = BigInt(v);
  else if (typeof v === 'string' && /^-?\d{1,19}$/.test(v)) b = BigInt(v);
  else throw onError();
  if (b < INT64_MIN || b > INT64_MAX) throw onError();
  return b;
}

/**
 * Converts client primary keys to {@link PrimaryKey}s of the schema's primary key type.
 * @throws ShoalError ParameterInvalid naming the bad key and the expected type.
 */
export function toPrimaryKeys(pkField: FieldSchema, ids: unknown[]): PrimaryKey[] {
  if (!Array.isArray(ids)) throw invalidParameter(`ids must be an array of primary keys, got ${describe(ids)}`);
  return ids.map((id, i) => {
    if (pkField.dataType === 'VarChar') {
      if (typeof id !== 'string') throw invalidParameter(`id ${i}: primary key "${pkField.name}" is VarChar; got ${describe(id)}`);
      return id;
    }
    return toInt64(id, () => invalidParameter(`id ${i}: primary key "${pkField.name}" is Int64; got ${describe(id)}`));
  });
}

function checkJson(v: unknown, onError: () => Error, depth = 0): unknown {
  if (depth > 64) throw onError();
  if (v === null || typeof v === 'string' || typeof v === 'boolean' || typeof v === 'bigint') return v;
  if (typeof v === 'number') { if (!Number.isFinite(v)) throw onError(); return v; }
  if (Array.isArray(v)) { for (const x of v) checkJson(x, onError, depth + 1); return v; }
  if (typeof v === 'object') { for (const x of Object.values(v as object)) checkJson(x, onError, depth + 1); return v; }
  throw onError();
}

/** A short description of a value for error messages. */
export function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

/**
 * Reads the value of row `i` of a column as a client value: Int64 → `bigint`, Bool → `boolean`,
 * FloatVector → a `Float32Array` copy of `dim` values (so that API layers can print float32s in
 * their shortest form, as Milvus does), BinaryVector → a `Uint8Array` copy of its `dim / 8` bytes
 * (the only `Uint8Array` a row value can be), others as stored.
 */
export function readValue(f: FieldSchema, col: Column, i: number): unknown {
  switch (f.dataType) {
    case 'Bool': return (col as Uint8Array)[i] === 1;
    case 'FloatVector': {
      const dim = f.dim!;
      return (col as Float32Array).slice(i * dim, (i + 1) * dim);
    }
    case 'BinaryVector': {
      const bytes = columnWidth(f);
      return (col as Uint8Array).slice(i * bytes, (i + 1) * bytes);
    }
    default: return (col as ArrayLike<unknown>)[i];
  }
}
