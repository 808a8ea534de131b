/**
 * Binary encoding of one column of a sealed segment (`fields/<fid>.bin`, DESIGN.md "Data plane":
 * columnar everywhere). Shoal's own format, chosen so that fixed-width columns load without any
 * decoding:
 *
 * - Bool: one byte per row (0 or 1). Int8/Int16/Int32/Int64/Float/Double: the values as raw
 *   little-endian bytes (1, 2, 4, 8, 4, 8 bytes per row).
 * - FloatVector: raw little-endian float32, `numRows × dim`, row-major.
 * - BinaryVector: the packed bits as stored in memory, `numRows × dim / 8` bytes, row-major
 *   (`dim` in bits).
 * - VarChar: offsets + UTF-8 bytes (`utf8-rows.ts`).
 * - JSON (and the dynamic field `$meta`): offsets + UTF-8 JSON text per row (`utf8-rows.ts`,
 *   `json-text.ts`; Int64 exact).
 * - Array: offsets + the JSON text of each row's array; decoding restores the element type
 *   (Int64 elements `bigint` even when small; Float elements are float32 values already, which
 *   the shortest decimal of a double reproduces exactly).
 * - Validity bitmaps of nullable fields (`fields/<fid>.valid`): stored as a Bool column.
 *
 * The column's length is not stored: the caller (the segment manifest) knows `numRows` and `dim`.
 */
import { ShoalError, ErrorCode, invalidParameter, notSupported } from '@shoal/actors';
import type { ArrayElementType, Column, DataType } from '../schema/types.ts';
import { parseJson, stringifyJson } from './json-text.ts';
import { decodeUtf8Rows, encodeUtf8Rows } from './utf8-rows.ts';

/** The data types stored as raw fixed-width values. */
type FixedType = Exclude<DataType, 'VarChar' | 'JSON' | 'Array'>;
type FixedArray = Uint8Array | Int8Array | Int16Array | Int32Array | BigInt64Array | Float32Array | Float64Array;
/** What the codec needs of a typed array constructor. */
interface FixedCtor {
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): FixedArray;
  readonly BYTES_PER_ELEMENT: number;
  readonly name: string;
}

/** The in-memory array type of each fixed-width data type (schema/types.ts, `Column`). */
const FIXED: Record<FixedType, FixedCtor> = {
  Bool: Uint8Array, Int8: Int8Array, Int16: Int16Array, Int32: Int32Array, Int64: BigInt64Array,
  Float: Float32Array, Double: Float64Array, FloatVector: Float32Array, BinaryVector: Uint8Array,
};

/** True on little-endian hosts (every platform Node supports in practice: x64, arm64). */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Encodes `column` (the `Column` shape of `dataType` over `numRows` rows; vectors `numRows × dim`
 * floats or `numRows × dim / 8` bytes).
 * For fixed-width types the result is a view of the column's own memory (no copy): do not modify
 * the column while the bytes are in use. Variable-length types produce a new buffer.
 * @throws ShoalError `ParameterInvalid` if the column has the wrong array type or length, a Bool
 * is not 0/1, a VarChar value is not a string or a JSON value is not representable;
 * `ParameterTooLarge` for more than 4 GiB of text.
 */
export function encodeColumn(dataType: DataType, column: Column, numRows: number): Uint8Array {
  checkRows(numRows);
  if (dataType === 'VarChar' || dataType === 'JSON' || dataType === 'Array') {
    if (!Array.isArray(column)) throw invalidParameter(`${dataType} column must be an array, got ${describe(column)}`);
    if (column.length !== numRows) throw invalidParameter(`${dataType} column has ${column.length} values for ${numRows} rows`);
    return encodeUtf8Rows(dataType !== 'VarChar' ? column.map((v, i) => jsonText(v, i)) : column, `${dataType} column`);
  }
  requireLittleEndian();
  const ctor = FIXED[dataType];
  if (!(column instanceof ctor)) throw invalidParameter(`${dataType} column must be a ${ctor.name}, got ${describe(column)}`);
  const values = column as FixedArray;
  if (dataType === 'FloatVector' || dataType === 'BinaryVector') {
    if (numRows === 0 ? values.length !== 0 : values.length % numRows !== 0 || values.length === 0) {
      throw invalidParameter(`${dataType} column of ${values.length} ${dataType === 'FloatVector' ? 'floats' : 'bytes'} is not a whole number of vectors for ${numRows} rows`);
    }
  } else if (values.length !== numRows) {
    throw invalidParameter(`${dataType} column has ${values.length} values for ${numRows} rows`);
  }
  if (dataType === 'Bool') checkBools(values as Uint8Array, (i, v) => invalidParameter(`Bool column: row ${i} is ${v}, expected 0 or 1`));
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

/**
 * Decodes a column written by {@link encodeColumn}. Fixed-width columns are views of `bytes` (no
 * copy) when `bytes` is aligned to the element size, else a copy; `dim` is required for vectors
 * (FloatVector: a `Float32Array` of `numRows × dim`; BinaryVector, `dim` in bits: a `Uint8Array`
 * of `numRows × dim / 8`).
 * `elementType` is required for an Array column (its rows come back as JS arrays of that type's
 * values, Int64 as `bigint`).
 * @throws ShoalError `IoFailed` if the byte length does not match `numRows` (and `dim`), a Bool
 * byte is not 0/1, the text is corrupt or an Array row is not an array; `ParameterInvalid` for a
 * missing or invalid `dim` (for a BinaryVector, not a multiple of 8) or a missing `elementType`.
 */
export function decodeColumn(dataType: DataType, bytes: Uint8Array, numRows: number, dim?: number, elementType?: ArrayElementType): Column {
  checkRows(numRows);
  if (dataType === 'VarChar') return decodeUtf8Rows(bytes, numRows, 'VarChar column');
  if (dataType === 'Array' && elementType === undefined) throw invalidParameter('decoding an Array column needs its element type');
  if (dataType === 'JSON' || dataType === 'Array') {
    return decodeUtf8Rows(bytes, numRows, `${dataType} column`).map((text, i) => {
      let value: unknown;
      try {
        value = parseJson(text);
      } catch (err) {
        throw new ShoalError(ErrorCode.IoFailed, `${dataType} column: row ${i} is not valid JSON (${(err as Error).message})`);
      }
      return dataType === 'Array' ? arrayRow(value, elementType!, i) : value;
    });
  }
  requireLittleEndian();
  let count = numRows;
  if (dataType === 'FloatVector') {
    if (dim === undefined || !Number.isSafeInteger(dim) || dim < 1) throw invalidParameter(`decoding a FloatVector column needs its dimension, a positive integer; got ${dim}`);
    count = numRows * dim;
  } else if (dataType === 'BinaryVector') {
    if (dim === undefined || !Number.isSafeInteger(dim) || dim < 8 || dim % 8 !== 0) throw invalidParameter(`decoding a BinaryVector column needs its dimension in bits, a positive multiple of 8; got ${dim}`);
    count = numRows * (dim / 8);
  }
  const ctor = FIXED[dataType];
  const expected = count * ctor.BYTES_PER_ELEMENT;
  if (bytes.byteLength !== expected) {
    throw new ShoalError(ErrorCode.IoFailed, `${dataType} column: ${bytes.byteLength} bytes stored, ${expected} expected for ${numRows} rows${dim === undefined ? '' : ` of dim ${dim}`}`);
  }
  const aligned = bytes.byteOffset % ctor.BYTES_PER_ELEMENT === 0 ? bytes : bytes.slice();
  const out = new ctor(aligned.buffer, aligned.byteOffset, count);
  if (dataType === 'Bool') checkBools(out as Uint8Array, (i, v) => new ShoalError(ErrorCode.IoFailed, `Bool column: row ${i} is stored as ${v}, expected 0 or 1`));
  return out;
}

/** A decoded Array row with its elements in the in-memory form of `elementType` (Int64 → bigint). */
function arrayRow(value: unknown, elementType: ArrayElementType, row: number): unknown[] {
  if (!Array.isArray(value)) throw new ShoalError(ErrorCode.IoFailed, `Array column: row ${row} is stored as ${describe(value)}, expected an array`);
  if (elementType !== 'Int64') return value;
  return value.map((x) => {
    if (typeof x === 'bigint') return x;
    if (typeof x === 'number' && Number.isSafeInteger(x)) return BigInt(x);
    throw new ShoalError(ErrorCode.IoFailed, `Array column: row ${row} holds ${String(x)} where an Int64 element is expected`);
  });
}

function jsonText(value: unknown, row: number): string {
  let text: string | undefined;
  try {
    text = stringifyJson(value);
  } catch (err) {
    throw invalidParameter(`JSON column: row ${row} cannot be serialized as JSON (${(err as Error).message})`);
  }
  if (text === undefined) throw invalidParameter(`JSON column: row ${row} is ${typeof value}, which JSON cannot represent`);
  return text;
}

function checkRows(numRows: number): void {
  if (!Number.isSafeInteger(numRows) || numRows < 0) throw invalidParameter(`numRows must be a non-negative integer, got ${numRows}`);
}

function checkBools(values: Uint8Array, error: (row: number, value: number) => ShoalError): void {
  for (let i = 0; i < values.length; i++) if (values[i] > 1) throw error(i, values[i]);
}

function requireLittleEndian(): void {
  if (!LITTLE_ENDIAN) throw notSupported('column storage on a big-endian host');
}

function describe(value: unknown): string {
  if (value === null || typeof value !== 'object') return typeof value;
  return (value as object).constructor?.name ?? 'object';
}
