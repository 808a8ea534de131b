/**
 * The event trace of a simulation run: one line per event, and a running SHA-256 over all lines,
 * so that two runs of one seed can be compared by a single hash (DESIGN.md, "The determinism rule").
 */
import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';

/** Options of {@link Trace}. */
export interface TraceOptions {
  /** Keep every line (for `--trace`); default false: only the last `tailSize` lines are kept. */
  keepAll?: boolean;
  /** How many of the latest lines to keep for a failure report; default 60. */
  tailSize?: number;
}

/**
 * An append-only trace. A line reads `<time ms, 3 decimals> <node> <kind> <detail>`, e.g.
 * `   1234.567 n2      send n2->n4 #17 64B`; `node` is `-` for cluster-wide events. Every line
 * is hashed (SHA-256, node:crypto; hashing is pure, not I/O) as it is recorded.
 */
export class Trace {
  readonly #hash: Hash = createHash('sha256');
  readonly #keepAll: boolean;
  readonly #tailSize: number;
  #lines: string[] = [];
  #count = 0;
  /** Lines not yet fed to the hash (hashing in batches gives the same digest, faster; one join per batch, not a rope of += pieces). */
  #unhashed: string[] = [];
  #unhashedChars = 0;
  /** The time column of the last line and the time it shows (several lines share one instant). */
  #lastTimeMs = Number.NaN;
  #lastTimeColumn = '';
  /** The padded node column of each node seen. */
  readonly #nodeColumns = new Map<string, string>();

  /** @throws RangeError if `tailSize` is not a positive integer. */
  constructor(opts: TraceOptions = {}) {
    this.#keepAll = opts.keepAll ?? false;
    this.#tailSize = opts.tailSize ?? 60;
    if (!Number.isInteger(this.#tailSize) || this.#tailSize < 1) throw new RangeError(`Trace: tailSize must be a positive integer, got ${this.#tailSize}`);
  }

  /** Number of lines recorded. */
  get count(): number {
    return this.#count;
  }

  /** Records one event at virtual time `timeMs` on `node` (`-` for none) of `kind` with a short `detail`. */
  record(timeMs: number, node: string, kind: string, detail: string): void {
    if (timeMs !== this.#lastTimeMs) {
      this.#lastTimeMs = timeMs;
      this.#lastTimeColumn = timeMs.toFixed(3).padStart(11);
    }
    let nodeColumn = this.#nodeColumns.get(node);
    if (nodeColumn === undefined) {
      nodeColumn = node.padEnd(7);
      this.#nodeColumns.set(node, nodeColumn);
    }
    const line = `${this.#lastTimeColumn} ${nodeColumn} ${kind} ${detail}`;
    this.#unhashed.push(line);
    this.#unhashedChars += line.length;
    if (this.#unhashedChars > 65_536) this.#flush();
    this.#count++;
    this.#lines.push(line);
    if (!this.#keepAll && this.#lines.length > 2 * this.#tailSize) this.#lines = this.#lines.slice(-this.#tailSize);
  }

  /** The SHA-256 (hex) of every line so far, each followed by `\n`; recording may continue. */
  digest(): string {
    this.#flush();
    return this.#hash.copy().digest('hex');
  }

  #flush(): void {
    if (this.#unhashed.length === 0) return;
    this.#unhashed.push(''); // every line followed by '\n'
    this.#hash.update(this.#unhashed.join('\n'));
    this.#unhashed = [];
    this.#unhashedChars = 0;
  }

  /** The last `n` (default: the tail size) lines recorded. */
  tail(n = this.#tailSize): string[] {
    return this.#lines.slice(-n);
  }

  /** Every line recorded. @throws Error unless the trace was created with `keepAll`. */
  all(): string[] {
    if (!this.#keepAll) throw new Error('Trace.all: this trace keeps only its tail; create it with keepAll');
    return this.#lines.slice();
  }
}
