import { invalidParameter } from '@shoal/actors';
import type { CollectionSchema, Column, ColumnBatch, FieldSchema, PrimaryKey } from './types.ts';
import { DYNAMIC_FIELD } from './types.ts';
import { FLOAT32_MAX, toInt64, toScalar } from './scalar.ts';
import { columnWidth, writeBinaryVector } from './vector.ts';

export { toInt64 } from './scalar.ts';

/**
 * Converts client rows (`{ field: value }` objects, as in Milvus's insert API) to a column-wise
 * batch, validating every value against the schema. Nothing is partially converted: the first
 * bad value throws.
 *
 * Value rules: Bool `boolean`; Int8/16/32 integers in range; Int64 a safe-integer `number`, a
 * `bigint` or a decimal string, within int64; Float/Double finite numbers (Float is stored as
 * float32); VarChar a string of at most `maxLength` UTF-8 bytes; JSON any JSON value;
 * Array a JS array of at most `maxCapacity` elements, each following the rule of its
 * `elementType` (Milvus "Array Field"); FloatVector an array (or `Float32Array`) of exactly `dim`
 * finite numbers; BinaryVector an array (or `Uint8Array`) of exactly `dim / 8` integers in
 * [0, 255], or a base64 string of `dim / 8` bytes (what Milvus's REST API accepts, see vector.ts).
 * Fields with `autoId` must be absent (the caller fills them in).
 *
 * Missing values (Milvus 2.5 "Nullable & Default"): a field that is absent or null takes its
 * `defaultValue` when it has one, else is null when `nullable` (validity 0, the column holding
 * the type's zero value), else the row is rejected.
 *
 * Dynamic field (Milvus "Dynamic Field"): with `schema.enableDynamicField`, the keys that are not
 * declared fields go, per row, into one object in the `$meta` column (keys whose value is null are
 * dropped, as Milvus's REST handler does); a row may not give `$meta` itself. Without it, an
 * undeclared key is an error.
 *
 * @param rows the rows; at least one.
 * @returns the batch (autoId primary key column absent; `valid` for every nullable field;
 *   the `$meta` column when the dynamic field is enabled).
 * @throws ShoalError ParameterInvalid naming the row index, the field, the value's problem and what is allowed.
 */
export function rowsToBatch(schema: CollectionSchema, rows: unknown[]): ColumnBatch {
  if (!Array.isArray(rows) || rows.length === 0) throw invalidParameter('insert data must be a non-empty array of rows');
  const n = rows.length;
  const fields = schema.fields.filter((f) => !f.autoId);
  const known = new Set(schema.fields.map((f) => f.name));
  const columns: Record<string, Column> = {};
  const valid: Record<string, Uint8Array> = {};
  for (const f of fields) {
    columns[f.name] = allocColumn(f, n);
    if (f.nullable) valid[f.name] = new Uint8Array(n);
  }
  const dynamic = schema.enableDynamicField ? new Array<Record<string, unknown>>(n) : undefined;
  if (dynamic) columns[DYNAMIC_FIELD] = dynamic;
  for (let r = 0; r < n; r++) {
    const row = rows[r];
    if (row === null || typeof row !== 'object' || Array.isArray(row)) throw invalidParameter(`row ${r} must be an object of field values, got ${describe(row)}`);
    const rec = row as Record<string, unknown>;
    if (dynamic) dynamic[r] = dynamicKeys(schema, rec, known, r);
    else {
      for (const key of Object.keys(rec)) {
        if (!known.has(key)) {
          throw invalidParameter(`row ${r}: field "${key}" does not exist in collection "${schema.name}" (the dynamic field is not enabled); fields: ${schema.fields.map((f) => f.name).join(', ')}`);
        }
      }
    }
    for (const f of schema.fields) {
      const v = Object.hasOwn(rec, f.name) ? rec[f.name] : undefined;
      if (f.autoId) {
        if (v !== undefined) throw invalidParameter(`row ${r}: primary key "${f.name}" is assigned automatically (autoId) and must not be given`);
        continue;
      }
      const validity = valid[f.name];
      if (v === undefined || v === null) {
        if (f.defaultValue !== undefined) {
          setValue(columns[f.name], f, r, f.defaultValue, r);
          if (validity) validity[r] = 1;
          continue;
        }
        if (validity) {
          setZero(columns[f.name], f, r);
          continue;
        }
        throw invalidParameter(`row ${r}: field "${f.name}" (${typeName(f)}) is ${v === null ? 'null' : 'missing'}; it is not nullable and has no default value, so every row must give it`);
      }
      setValue(columns[f.name], f, r, v, r);
      if (validity) validity[r] = 1;
    }
  }
  const batch: ColumnBatch = { numRows: n, columns };
  if (Object.keys(valid).length > 0) batch.valid = valid;
  return batch;
}

/** The undeclared keys of row `r` (the dynamic field's object), null values dropped. */
function dynamicKeys(schema: CollectionSchema, rec: Record<string, unknown>, known: ReadonlySet<string>, r: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(rec)) {
    if (known.has(key)) continue;
    if (key === DYNAMIC_FIELD) {
      throw invalidParameter(`row ${r}: "${DYNAMIC_FIELD}" is the dynamic field of collection "${schema.name}" and cannot be given; put undeclared keys at the top level of the row`);
    }
    if (key === RESERVED_KEY) throw invalidParameter(`row ${r}: the key "${RESERVED_KEY}" is reserved and cannot be a dynamic field key`);
    const v = rec[key];
    if (v === null || v === undefined) continue;
    const value = checkJson(v, (allowed) => invalidParameter(`row ${r}: dynamic field key "${key}" got ${describe(v)}; expected ${allowed}`));
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** The type of a field for messages: `Array<Int64>` for arrays, else the data type. */
function typeName(f: FieldSchema): string {
  return f.dataType === 'Array' ? `Array of ${f.elementType}` : f.dataType;
}

/** Writes the zero value of a null row (typed columns are zero already). */
function setZero(col: Column, f: FieldSchema, i: number): void {
  if (f.dataType === 'VarChar') (col as string[])[i] = '';
  else if (f.dataType === 'JSON') (col as unknown[])[i] = null;
  else if (f.dataType === 'Array') (col as unknown[])[i] = [];
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
  const bad = (allowed: string) => invalidParameter(`row ${r}: field "${f.name}" (${typeName(f)}) got ${describe(v)}; expected ${allowed}`);
  switch (f.dataType) {
    case 'Bool':
      (col as Uint8Array)[i] = toScalar('Bool', v, undefined, bad) ? 1 : 0;
      return;
    case 'Int8': case 'Int16': case 'Int32': case 'Float': case 'Double':
      (col as Float64Array)[i] = toScalar(f.dataType, v, undefined, bad) as number;
      return;
    case 'Int64':
      (col as BigInt64Array)[i] = toScalar('Int64', v, undefined, bad) as bigint;
      return;
    case 'VarChar':
      (col as string[])[i] = toScalar('VarChar', v, f.maxLength, bad) as string;
      return;
    case 'Array':
      (col as unknown[])[i] = toArray(f, v, r, bad);
      return;
    case 'JSON':
      (col as unknown[])[i] = checkJson(v, bad);
      return;
    case 'FloatVector': {
      const dim = f.dim!;
      if (!(Array.isArray(v) || v instanceof Float32Array)) throw bad(`an array of ${dim} numbers`);
      if (v.length !== dim) throw invalidParameter(`row ${r}: vector field "${f.name}" has dimension ${dim}, got a vector of length ${v.length}`);
      const out = col as Float32Array;
      const base = i * dim;
      for (let d = 0; d < dim; d++) {
        const x = v[d];
        if (typeof x !== 'number' || !Number.isFinite(Math.fround(x))) {
          throw invalidParameter(`row ${r}: vector field "${f.name}" element ${d} is ${describe(x)}; expected a finite number within float32 range (|x| ≤ ${FLOAT32_MAX})`);
        }
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

/** The stored array of an Array field's value: every element converted by its element type. */
function toArray(f: FieldSchema, v: unknown, r: number, bad: (allowed: string) => Error): unknown[] {
  const type = f.elementType!;
  if (!Array.isArray(v)) throw bad(`an array of ${type} with at most ${f.maxCapacity} elements`);
  if (v.length > f.maxCapacity!) {
    throw invalidParameter(`row ${r}: field "${f.name}" (${typeName(f)}) has ${v.length} elements; max_capacity is ${f.maxCapacity}`);
  }
  return v.map((x, k) => toScalar(type, x, f.maxLength, (allowed) =>
    invalidParameter(`row ${r}: field "${f.name}" (${typeName(f)}) element ${k} got ${describe(x)}; expected ${allowed}`)));
}

/**
 * An object key that JSON values may not hold: msgpackr (the log and message codec) decodes an own
 * `__proto__` key as `__proto_` to guard against prototype pollution, so such a key would not
 * survive a restart or a hop between nodes.
 */
const RESERVED_KEY = '__proto__';

/** What a JSON value may be, for messages. */
const JSON_ALLOWED = 'a JSON value (finite numbers, strings, booleans, null, arrays, objects; at most 64 levels deep; ' +
  `no object key "${RESERVED_KEY}")`;

/**
 * Checks that `v` is a JSON value Shoal can store exactly (see {@link JSON_ALLOWED}) and returns it.
 * @throws the error `onError` makes from a description of what is allowed.
 */
function checkJson(v: unknown, onError: (allowed: string) => Error, depth = 0): unknown {
  if (depth > 64) throw onError(JSON_ALLOWED);
  if (v === null || typeof v === 'string' || typeof v === 'boolean' || typeof v === 'bigint') return v;
  if (typeof v === 'number') { if (!Number.isFinite(v)) throw onError(JSON_ALLOWED); return v; }
  if (Array.isArray(v)) { for (const x of v) checkJson(x, onError, depth + 1); return v; }
  if (typeof v === 'object') {
    if (Object.hasOwn(v, RESERVED_KEY)) throw onError(JSON_ALLOWED);
    for (const x of Object.values(v as object)) checkJson(x, onError, depth + 1);
    return v;
  }
  throw onError(JSON_ALLOWED);
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
 * (the only `Uint8Array` a row value can be), Array → the stored JS array (Int64 elements
 * `bigint`; do not modify it), others as stored; `null` where `valid` (the field's validity
 * bitmap, see `Segment.valid`) says the row is null.
 */
export function readValue(f: FieldSchema, col: Column, i: number, valid?: Uint8Array): unknown {
  if (valid !== undefined && valid[i] === 0) return null;
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

/** What {@link outputRow} reads: a segment's columns and validity bitmaps. */
export interface RowSource {
  column(fieldName: string): Column;
  valid(fieldName: string): Uint8Array | undefined;
}

/**
 * Row `i` of `source` as an output row (field name → client value, {@link readValue}) with the
 * entries `outputFields` names, in that order. A declared field gives its value (`null` when
 * null); `$meta` gives every key of the row's dynamic-field object as a top-level key; any other
 * name, with the dynamic field enabled, is a dynamic key and is present only when the row has it
 * (Milvus "Dynamic Field": output fields that are not in the schema read from `$meta`).
 * Names are checked by the caller (`resolveOutputFields` of `@shoal/cluster`); an unknown name
 * without the dynamic field is skipped.
 */
export function outputRow(schema: CollectionSchema, source: RowSource, i: number, outputFields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let meta: Record<string, unknown> | undefined;
  for (const name of outputFields) {
    const f = schema.fields.find((x) => x.name === name);
    if (f) {
      define(out, name, readValue(f, source.column(name), i, f.nullable ? source.valid(name) : undefined));
      continue;
    }
    if (!schema.enableDynamicField) continue;
    meta ??= ((source.column(DYNAMIC_FIELD) as unknown[])[i] ?? {}) as Record<string, unknown>;
    if (name === DYNAMIC_FIELD) {
      for (const key of Object.keys(meta)) define(out, key, meta[key]);
    } else if (Object.hasOwn(meta, name)) {
      define(out, name, meta[name]);
    }
  }
  return out;
}

/** Defines (not assigns) `out[key]`, so that a key named `__proto__` stays an ordinary key. */
function define(out: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
}
