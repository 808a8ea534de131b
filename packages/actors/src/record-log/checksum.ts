/**
 * CRC-32 checksums of stored bytes (object store frames, write-ahead log records).
 *
 * The algorithm is the ISO-HDLC / IEEE 802.3 CRC-32 (reflected polynomial `0xEDB88320`, initial
 * value and final XOR `0xFFFFFFFF`; check value `crc32("123456789") = 0xCBF43926`), as used by
 * zlib, gzip and PNG. It is computed by zlib through `crc32` of `node:zlib` (Node ≥ 22.2), which
 * is pure computation and therefore allowed by the determinism rule.
 */
import { crc32 as zlibCrc32 } from 'node:zlib';

/**
 * CRC-32 of `data`, an unsigned 32-bit integer. Pass the CRC of the preceding bytes as `previous`
 * to continue a running checksum: `crc32(b, crc32(a))` equals the CRC of `a` followed by `b`.
 */
export function crc32(data: Uint8Array, previous = 0): number {
  return zlibCrc32(data, previous) >>> 0;
}
