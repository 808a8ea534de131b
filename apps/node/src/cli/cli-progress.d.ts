/**
 * Types of the parts of `cli-progress` 3.12 that the CLI uses (the package ships no types and
 * `@types/cli-progress` is not installed). Source: cli-progress's README and lib/options.js.
 */
declare module 'cli-progress' {
  /** Bar options (a subset of lib/options.js). */
  export interface Options {
    /** Format with tokens `{bar}`, `{percentage}`, `{value}`, `{total}`, `{eta_formatted}`, payload keys. */
    format?: string;
    /** Where the bar is drawn (default `process.stderr`). */
    stream?: NodeJS.WritableStream;
    /** Redraws per second (default 10). */
    fps?: number;
    hideCursor?: boolean;
    clearOnComplete?: boolean;
    /** Number of updates the ETA is averaged over (default 10). */
    etaBuffer?: number;
    /** Draw even when the stream is not a TTY (default false). */
    noTTYOutput?: boolean;
    barCompleteChar?: string;
    barIncompleteChar?: string;
  }

  /** A preset: bar characters and a format. */
  export interface Preset {
    format?: string;
    barCompleteChar: string;
    barIncompleteChar: string;
  }

  /** One progress bar. */
  export class SingleBar {
    constructor(options: Options, preset?: Preset);
    /** Starts drawing: `total` units, starting at `startValue`, with payload tokens. */
    start(total: number, startValue: number, payload?: Record<string, unknown>): void;
    /** Sets the current value (and payload tokens). */
    update(value: number, payload?: Record<string, unknown>): void;
    /** Stops drawing (leaves the last frame unless `clearOnComplete`). */
    stop(): void;
  }

  /** Built-in presets. */
  export const Presets: { legacy: Preset; shades_classic: Preset; shades_grey: Preset; rect: Preset };

  const cliProgress: { SingleBar: typeof SingleBar; Presets: typeof Presets };
  export default cliProgress;
}
