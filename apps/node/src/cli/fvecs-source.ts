/**
 * Streams a TEXMEX `.fvecs` file (per vector an int32 little-endian dimension d, then d float32;
 * see `parseFvecs` of `@shoal/ann`) in batches of whole vectors, so that only one batch is in
 * memory at a time.
 */
import { open, stat } from 'node:fs/promises';
import { ErrorCode, ShoalError } from '@shoal/actors';
import { parseFvecs } from '@shoal/ann';

/** `count` vectors of `dim` floats (`data`: Float32Array of `count × dim`, row-major), the first being row `firstRow` of the file. */
export interface VectorBatch {
  firstRow: number;
  count: number;
  dim: number;
  data: Float32Array;
}

/** Shape of an `.fvecs` file: `count` vectors of `dim` floats in `bytes` bytes. */
export interface FvecsShape {
  dim: number;
  count: number;
  bytes: number;
}

function invalid(path: string, message: string): ShoalError {
  return new ShoalError(ErrorCode.ImportFailed, `invalid fvecs file ${path}: ${message}`);
}

/**
 * Reads the first dimension word and the file size. Throws `ShoalError(ImportFailed)` when the file
 * is empty, the dimension is not positive, or the size is not a whole number of records
 * (`4 + 4·dim` bytes each); file-system errors (ENOENT…) pass through.
 */
export async function fvecsShape(path: string): Promise<FvecsShape> {
  const { size } = await stat(path);
  if (size < 4) throw invalid(path, `${size} bytes is too short for a dimension word`);
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(4);
    await fh.read(head, 0, 4, 0);
    const dim = head.readInt32LE(0);
    if (dim < 1) throw invalid(path, `dimension ${dim} at byte offset 0 is not positive`);
    const record = 4 + 4 * dim;
    if (size % record !== 0) {
      throw invalid(path, `${size} bytes is not a whole number of ${record}-byte records (dim ${dim}); the last record is truncated at byte offset ${size - (size % record)}`);
    }
    return { dim, count: size / record, bytes: size };
  } finally {
    await fh.close();
  }
}

/**
 * Yields the vectors of `path` in batches of `batchRows` (the last one may be shorter), reading
 * `batchRows` records at a time. Throws like {@link fvecsShape}, and `ShoalError(ImportFailed)`
 * naming the absolute byte offset when a record's dimension differs from the first.
 */
export async function* readFvecsBatches(path: string, batchRows: number): AsyncGenerator<VectorBatch> {
  const { dim, count } = await fvecsShape(path);
  const record = 4 + 4 * dim;
  const fh = await open(path, 'r');
  try {
    for (let first = 0; first < count; first += batchRows) {
      const rows = Math.min(batchRows, count - first);
      const buf = Buffer.alloc(rows * record);
      const { bytesRead } = await fh.read(buf, 0, buf.length, first * record);
      if (bytesRead !== buf.length) throw invalid(path, `file shrank while reading at byte offset ${first * record + bytesRead}`);
      for (let i = 0; i < rows; i++) {
        const d = buf.readInt32LE(i * record);
        if (d !== dim) throw invalid(path, `dimension ${d} differs from ${dim} at byte offset ${(first + i) * record} (row ${first + i})`);
      }
      const parsed = parseFvecs(buf);
      yield { firstRow: first, count: rows, dim, data: parsed.data };
    }
  } finally {
    await fh.close();
  }
}
