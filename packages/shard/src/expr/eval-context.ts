/**
 * The state of one `evaluateFilter` call: the source, its row count, and its columns and validity
 * bitmaps fetched and checked once per field.
 */
import { Bitset } from '@shoal/ann';
import { ErrorCode, ShoalError } from '@shoal/actors';
import type { Column } from '../schema/types.ts';
import type { FilterFieldType } from './bound.ts';
import type { ColumnSource } from './evaluate.ts';

/** The typed-array class (or `Array` for VarChar) each filterable field type is stored in. */
const COLUMN_CLASS: Readonly<Record<FilterFieldType, new (...args: never[]) => object>> = {
  Bool: Uint8Array, Int8: Int8Array, Int16: Int16Array, Int32: Int32Array, Int64: BigInt64Array,
  Float: Float32Array, Double: Float64Array, VarChar: Array,
};

/** Columns, validity and row count of one evaluation. */
export class EvalContext {
  readonly source: ColumnSource;
  readonly n: number;
  /**
   * The words of the rows whose answer matters: the rows the evaluation was asked about (its
   * starting mask, e.g. the visible rows), narrowed while the later operands of an `and` are
   * evaluated to the rows that can still pass (the earlier operands' true rows). Costly loops may
   * skip a zero word; a row outside the mask may then get any answer, since the result is false
   * there whatever it is. `null` = all rows.
   */
  mask: Uint32Array | null;
  private readonly validity = new Map<string, Bitset | null>();

  /**
   * A context over `source`, optionally only answering for the rows of `rows` (see `mask`).
   * @throws ShoalError(ServiceInternal) if `rows` is not `source.numRows` bits.
   */
  constructor(source: ColumnSource, rows?: Bitset) {
    this.source = source;
    this.n = source.numRows;
    if (rows !== undefined && rows.size !== this.n) {
      throw new ShoalError(ErrorCode.ServiceInternal, `filter row mask has ${rows.size} bits for ${this.n} rows`);
    }
    this.mask = rows?.words ?? null;
  }

  /** An all-clear bitset of `n` bits. */
  empty(): Bitset {
    return new Bitset(this.n);
  }

  /**
   * The rows of `field` that are not null as a bitset (shared: callers must not modify it), or
   * `null` when the field has no nulls here.
   * @throws ShoalError(ServiceInternal) if the bitmap is shorter than `numRows`.
   */
  valid(field: string): Bitset | null {
    let v = this.validity.get(field);
    if (v === undefined) {
      const bytes = this.source.valid?.(field);
      v = null;
      if (bytes !== undefined) {
        if (bytes.length < this.n) {
          throw new ShoalError(ErrorCode.ServiceInternal, `validity of field "${field}" has ${bytes.length} entries for ${this.n} rows`);
        }
        v = new Bitset(this.n);
        const words = v.words;
        for (let i = 0; i < this.n; i++) if (bytes[i] !== 0) words[i >>> 5] |= 1 << (i & 31);
      }
      this.validity.set(field, v);
    }
    return v;
  }

  /** The column of a plain `field`, checked against the layout of `dataType` and the row count. */
  columnOf(field: string, dataType: FilterFieldType): Column {
    const col = this.source.column(field);
    const expected = COLUMN_CLASS[dataType];
    const layoutOk = dataType === 'VarChar' ? Array.isArray(col) : col instanceof expected;
    if (!layoutOk || col.length < this.n) {
      throw new ShoalError(ErrorCode.ServiceInternal, `filter on field "${field}" (${dataType}) expected a ${expected.name} column of ` +
        `at least ${this.n} values, got ${col?.constructor?.name ?? typeof col} of length ${col?.length}`);
    }
    return col;
  }

  /** The column of a JSON, dynamic or Array `field`: one JS value per row. */
  values(field: string): readonly unknown[] {
    const col = this.source.column(field);
    if (!Array.isArray(col) || col.length < this.n) {
      throw new ShoalError(ErrorCode.ServiceInternal, `filter on field "${field}" expected an array of at least ${this.n} ` +
        `values, got ${col?.constructor?.name ?? typeof col} of length ${col?.length}`);
    }
    return col;
  }
}
