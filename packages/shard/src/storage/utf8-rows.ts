/**
 * Variable-length rows as offsets + UTF-8 bytes (DESIGN.md: "VARCHAR as offsets + UTF-8 bytes";
 * the layout of Apache Arrow's `Utf8` type with the offsets in front):
 *
 *     offsets: (numRows + 1) × u32 little-endian, offsets[0] = 0, non-decreasing
 *     data:    offsets[numRows] bytes; row i is data[offsets[i], offsets[i + 1])
 *
 * Strings are UTF-8 encoded with `TextEncoder` (a lone surrogate becomes U+FFFD, as everywhere in
 * the Web platform) and decoded strictly (`fatal`, BOM kept).
 */
import { ShoalError, ErrorCode, invalidParameter } from '@shoal/actors';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
/** Largest data section: offsets are u32. */
const MAX_DATA_BYTES = 0xffffffff;

/**
 * Encodes `values` (one string per row) into one new buffer of the layout above.
 * @throws ShoalError `ParameterInvalid` if a value is not a string; `ParameterTooLarge` if the
 * UTF-8 data exceeds 4 GiB − 1 bytes.
 */
export function encodeUtf8Rows(values: readonly unknown[], what: string): Uint8Array {
  const n = values.length;
  const head = 4 * (n + 1);
  let total = 0;
  const lengths = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (typeof v !== 'string') throw invalidParameter(`${what}: row ${i} is ${typeof v}, expected a string`);
    lengths[i] = utf8Length(v);
    total += lengths[i];
  }
  if (total > MAX_DATA_BYTES) {
    throw new ShoalError(ErrorCode.ParameterTooLarge, `${what}: ${total} bytes of UTF-8 text exceed the ${MAX_DATA_BYTES}-byte limit of one column`);
  }
  const out = new Uint8Array(head + total);
  const view = new DataView(out.buffer);
  let pos = 0;
  view.setUint32(0, 0, true);
  for (let i = 0; i < n; i++) {
    const { written } = encoder.encodeInto(values[i] as string, out.subarray(head + pos, head + pos + lengths[i]));
    if (written !== lengths[i]) throw new ShoalError(ErrorCode.Unexpected, `${what}: row ${i} encoded to ${written} UTF-8 bytes, ${lengths[i]} computed`);
    pos += written;
    view.setUint32(4 * (i + 1), pos, true);
  }
  return out;
}

/**
 * Decodes `numRows` strings from `bytes` (the layout above; `bytes` may start at any offset).
 * @throws ShoalError `IoFailed` naming `what` if the offsets are inconsistent with the byte
 * length or a row is not valid UTF-8.
 */
export function decodeUtf8Rows(bytes: Uint8Array, numRows: number, what: string): string[] {
  const bad = (msg: string) => new ShoalError(ErrorCode.IoFailed, `${what}: corrupt offsets + UTF-8 column: ${msg}`);
  const head = 4 * (numRows + 1);
  if (bytes.byteLength < head) throw bad(`${bytes.byteLength} bytes cannot hold ${numRows + 1} offsets`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, head);
  const dataBytes = bytes.byteLength - head;
  if (view.getUint32(0, true) !== 0) throw bad('the first offset is not 0');
  const lastOffset = view.getUint32(4 * numRows, true);
  if (lastOffset !== dataBytes) throw bad(`the last offset is ${lastOffset} but ${dataBytes} data bytes follow the offsets`);
  const out = new Array<string>(numRows);
  let start = 0;
  for (let i = 0; i < numRows; i++) {
    const end = view.getUint32(4 * (i + 1), true);
    if (end < start) throw bad(`offset ${i + 1} (${end}) is smaller than offset ${i} (${start})`);
    try {
      out[i] = decoder.decode(bytes.subarray(head + start, head + end));
    } catch {
      throw bad(`row ${i} is not valid UTF-8`);
    }
    start = end;
  }
  return out;
}

/** Bytes of `s` in UTF-8 as `TextEncoder` writes it (a lone surrogate counts as U+FFFD: 3 bytes). */
function utf8Length(s: string): number {
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
