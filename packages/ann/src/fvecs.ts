/**
 * Readers of the TEXMEX `.fvecs` / `.ivecs` formats (H. Jégou, M. Douze, C. Schmid, "Product
 * quantization for nearest neighbor search", TPAMI 2011; http://corpus-texmex.irisa.fr/): per
 * vector an int32 little-endian dimension d, then d float32 (fvecs) or int32 (ivecs) values, also
 * little-endian. All vectors of a file must have the same d. Used by tests, benchmarks and
 * `shoal import`.
 */
import { ErrorCode, ShoalError } from '@shoal/actors';

/** A parsed file: `count` vectors of `dim` values, row-major in `data` (`count × dim`). */
export interface VecsFile<T extends Float32Array | Int32Array> {
  count: number;
  dim: number;
  data: T;
}

function bad(kind: string, message: string): ShoalError {
  return new ShoalError(ErrorCode.ImportFailed, `invalid ${kind} input: ${message}`);
}

/** True on little-endian hosts, where the file's words can be viewed in place. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Walks the records, checking each dimension word, and copies the values: by whole records through
 * a typed-array view of the input when it is 4-byte aligned on a little-endian host, else one
 * value at a time with `read`.
 */
function parseVecs<T extends Float32Array | Int32Array>(
  bytes: Uint8Array,
  kind: string,
  make: (n: number) => T,
  viewAs: (buffer: ArrayBufferLike, byteOffset: number, length: number) => T,
  read: (view: DataView, at: number) => number,
): VecsFile<T> {
  if (bytes.byteLength === 0) return { count: 0, dim: 0, data: make(0) };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 4) throw bad(kind, `truncated dimension word at byte offset 0 (${bytes.byteLength} bytes in all)`);
  const dim = view.getInt32(0, true);
  if (dim < 1) throw bad(kind, `dimension ${dim} at byte offset 0 is not positive`);
  const record = 4 + 4 * dim;
  const count = Math.floor(bytes.byteLength / record);
  for (let v = 0; v < count; v++) {
    const d = view.getInt32(v * record, true);
    if (d !== dim) throw bad(kind, `dimension ${d} differs from ${dim} at byte offset ${v * record}`);
  }
  if (count * record !== bytes.byteLength) {
    const at = count * record;
    const headerOk = bytes.byteLength - at >= 4;
    const d = headerOk ? view.getInt32(at, true) : dim;
    const what = d !== dim ? `dimension ${d} differs from ${dim}` : `truncated vector (${bytes.byteLength - at} of ${record} bytes)`;
    throw bad(kind, `${what} at byte offset ${at}`);
  }
  const data = make(count * dim);
  if (LITTLE_ENDIAN && bytes.byteOffset % 4 === 0) {
    const words = viewAs(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    const wordsPerRecord = 1 + dim;
    for (let v = 0; v < count; v++) data.set(words.subarray(v * wordsPerRecord + 1, (v + 1) * wordsPerRecord), v * dim);
  } else {
    for (let v = 0; v < count; v++) {
      const at = v * record + 4;
      for (let i = 0; i < dim; i++) data[v * dim + i] = read(view, at + 4 * i);
    }
  }
  return { count, dim, data };
}

/**
 * Parses `.fvecs` bytes. Empty input gives `{ count: 0, dim: 0 }`. Throws
 * `ShoalError(ErrorCode.ImportFailed)` naming the byte offset on a non-positive or inconsistent
 * dimension or a truncated record.
 */
export function parseFvecs(bytes: Uint8Array): VecsFile<Float32Array> {
  return parseVecs(bytes, 'fvecs', (n) => new Float32Array(n), (b, o, n) => new Float32Array(b, o, n), (view, at) => view.getFloat32(at, true));
}

/** Parses `.ivecs` bytes (e.g. ground-truth neighbour ids); same rules and errors as `parseFvecs`. */
export function parseIvecs(bytes: Uint8Array): VecsFile<Int32Array> {
  return parseVecs(bytes, 'ivecs', (n) => new Int32Array(n), (b, o, n) => new Int32Array(b, o, n), (view, at) => view.getInt32(at, true));
}
