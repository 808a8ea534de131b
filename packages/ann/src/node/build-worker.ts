/**
 * The body of an index build worker thread (started by `WorkerPoolIndexBuilder`; loaded directly
 * from TypeScript by Node's type stripping). For each `BuildRequest` it runs `buildIndex`, then
 * posts the serialized index, transferring its buffer, or the error.
 */
import { parentPort } from 'node:worker_threads';
import { ShoalError } from '@shoal/actors';
import { buildIndex } from '../api.ts';
import type { BuildReply, BuildRequest } from './build-protocol.ts';

const port = parentPort;
if (port === null) throw new Error('build-worker.ts must run as a worker thread');

port.on('message', (req: BuildRequest) => {
  let reply: BuildReply;
  try {
    const onProgress = req.progress
      ? (indexedRows: number, totalRows: number) => port.postMessage({ type: 'progress', indexedRows, totalRows } satisfies BuildReply)
      : undefined;
    const bytes = buildIndex(req.spec, req.vectors, req.count, { seed: req.seed, onProgress }).serialize();
    reply = { type: 'done', bytes };
    port.postMessage(reply, [bytes.buffer as ArrayBuffer]);
    return;
  } catch (err) {
    reply = { type: 'error', code: err instanceof ShoalError ? err.code : null, message: err instanceof Error ? err.message : String(err) };
  }
  port.postMessage(reply);
});
