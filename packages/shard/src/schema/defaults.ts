/**
 * Default values of fields (Milvus 2.5 "Nullable & Default"): checked against the field's type
 * when the collection is created; filled in by `rowsToBatch` for a row that omits the field or
 * gives null.
 */
import type { FieldSchema } from './types.ts';
import { toScalar } from './scalar.ts';
import type { ScalarValue } from './scalar.ts';

/** The data types that may have a default value: every scalar type but JSON and Array. */
const DEFAULTABLE = ['Bool', 'Int8', 'Int16', 'Int32', 'Int64', 'Float', 'Double', 'VarChar'] as const;

/**
 * The stored form of `value` as the default of `field` (Int64 a `bigint`, Float rounded to float32).
 * Accepts what an insert accepts for the field (an Int64 as a safe-integer number, a bigint or a
 * decimal string).
 * @param illegal builds the error from a message.
 * @throws what `illegal` returns when the field's type cannot have a default (JSON, Array, vectors)
 *   or the value does not fit the type (VarChar longer than `maxLength`, integer out of range …).
 */
export function checkDefaultValue(field: FieldSchema, value: unknown, illegal: (message: string) => Error): ScalarValue {
  const type = DEFAULTABLE.find((t) => t === field.dataType);
  if (!type) throw illegal(`a ${field.dataType} field cannot have a default value; default values are for ${DEFAULTABLE.join(', ')} fields`);
  return toScalar(type, value, field.maxLength, (allowed) => illegal(`default value ${describeDefault(value)} does not fit the ${field.dataType} field; expected ${allowed}`));
}

function describeDefault(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  if (typeof v === 'object' && v !== null) return Array.isArray(v) ? 'an array' : 'an object';
  return String(v);
}
