/**
 * Progress display of `shoal import`: a cli-progress bar on stdout (rows, rows/s, ETA) when stdout
 * is a TTY; otherwise nothing while running, and a one-line summary at the end either way.
 */
import cliProgress from 'cli-progress';

/** Where progress goes and whether to draw the bar. */
export interface ProgressOptions {
  /** Units of work in all: rows (fvecs) or bytes of the file (JSONL, whose row count is unknown). */
  total: number;
  /** Draw the bar (default: `process.stdout.isTTY`). */
  enabled?: boolean;
  /** Stream of the bar (default `process.stdout`). */
  stream?: NodeJS.WritableStream;
}

/** A running progress display. */
export interface Progress {
  /** Reports that `done` units of `total` are done and `rows` rows were inserted `seconds` after the start. */
  update(done: number, rows: number, seconds: number): void;
  /** Stops redrawing; the last frame stays on screen. */
  stop(): void;
}

/** Rows per second as a short string (`12,345`), or `-` before any time has passed. */
export function formatRate(rows: number, seconds: number): string {
  if (!(seconds > 0)) return '-';
  return Math.round(rows / seconds).toLocaleString('en-US');
}

/** Creates a progress display (see the file comment); a no-op one when disabled. */
export function startProgress(opts: ProgressOptions): Progress {
  const enabled = opts.enabled ?? process.stdout.isTTY === true;
  if (!enabled) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar({
    format: '{bar} {percentage}% | {rows} rows | {rate} rows/s | ETA {eta_formatted}',
    stream: opts.stream ?? process.stdout,
    hideCursor: true,
    etaBuffer: 50,
  }, cliProgress.Presets.shades_classic);
  bar.start(opts.total, 0, { rows: '0', rate: '-' });
  return {
    update(done, rows, seconds) {
      bar.update(done, { rows: rows.toLocaleString('en-US'), rate: formatRate(rows, seconds) });
    },
    stop() {
      bar.stop();
    },
  };
}
