/**
 * The checksummed frame of every stored object (DESIGN.md: "Every file carries a checksum that
 * is verified on read"). Shoal's own format:
 *
 *     payload bytes | trailer (16 bytes, little-endian):
 *                     magic "SHB1" (4) | payload length u64 (8) | CRC-32 of the payload u32 (4)
 *
 * A trailer rather than a header lets a writer stream the payload and append the checksum at
 * the end, and lets a reader verify and return the payload as a view without moving it.
 */
import { crc32, ShoalError, ErrorCode } from '@shoal/actors';

/** Bytes of the trailer appended to every object. */
export const OBJECT_TRAILER_BYTES = 16;
/** The trailer's magic number: ASCII "SHB1" read as a little-endian u32. */
const MAGIC = 0x31424853;

/** Returns a new buffer holding `payload` followed by its trailer (one copy of the payload). */
export function encodeObjectFrame(payload: Uint8Array): Uint8Array {
  const frame = new Uint8Array(payload.byteLength + OBJECT_TRAILER_BYTES);
  frame.set(payload, 0);
  const view = new DataView(frame.buffer, payload.byteLength, OBJECT_TRAILER_BYTES);
  view.setUint32(0, MAGIC, true);
  view.setBigUint64(4, BigInt(payload.byteLength), true);
  view.setUint32(12, crc32(payload), true);
  return frame;
}

/**
 * Verifies a frame read back for `key` and returns its payload as a view into `frame` (no copy).
 * @throws ShoalError `IoFailed` naming `key` and what mismatched: too short for a trailer, bad
 * magic, payload length, or CRC-32 (stored vs computed).
 */
export function decodeObjectFrame(key: string, frame: Uint8Array): Uint8Array {
  const corrupt = (what: string) => new ShoalError(ErrorCode.IoFailed, `object ${key} is corrupt: ${what}`);
  if (frame.byteLength < OBJECT_TRAILER_BYTES) {
    throw corrupt(`${frame.byteLength} bytes is shorter than the ${OBJECT_TRAILER_BYTES}-byte checksum trailer`);
  }
  const payloadBytes = frame.byteLength - OBJECT_TRAILER_BYTES;
  const view = new DataView(frame.buffer, frame.byteOffset + payloadBytes, OBJECT_TRAILER_BYTES);
  const magic = view.getUint32(0, true);
  if (magic !== MAGIC) throw corrupt(`trailer magic is 0x${hex(magic)}, expected 0x${hex(MAGIC)}`);
  const declared = view.getBigUint64(4, true);
  if (declared !== BigInt(payloadBytes)) throw corrupt(`trailer says ${declared} payload bytes but ${payloadBytes} are stored`);
  const payload = frame.subarray(0, payloadBytes);
  const stored = view.getUint32(12, true);
  const computed = crc32(payload);
  if (stored !== computed) throw corrupt(`CRC-32 mismatch: stored 0x${hex(stored)}, computed 0x${hex(computed)}`);
  return payload;
}

function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}
