/**
 * A real `shoal start` child process for integration tests: its own temporary data directory, a
 * free TCP port on 127.0.0.1, readiness by polling `GET /healthz`, signals (`kill('SIGKILL')` is
 * the crash of a machine), restart on the same data directory, and the tail of its stdout/stderr
 * (pino JSON lines) for failure messages.
 *
 * Every started process is also registered for a last-resort SIGKILL when the test runner exits,
 * so a failing test never leaves a node behind; tests still call `dispose()` in `afterAll`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the repository root (/work/main in the project's checkout). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Characters of combined stdout/stderr kept per process for failure messages. */
const OUTPUT_TAIL_CHARS = 64 * 1024;

/** Every child still running, for the exit hook below. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/**
 * The Node 22 binary to run `shoal` with: the repository's `node_modules/.bin/node` (the `node`
 * npm package) when present, else the runner's own `process.execPath`.
 */
export function nodeBinary(): string {
  const local = join(REPO_ROOT, 'node_modules', '.bin', 'node');
  return existsSync(local) ? local : process.execPath;
}

/**
 * A TCP port that was free on 127.0.0.1 a moment ago (the OS picks it: listen on port 0, read it,
 * close). Another process may take it before the node binds it; {@link ShoalProcess.start} retries
 * on `EADDRINUSE`.
 */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolvePort(port) : reject(new Error('could not read the port of a probe socket'))));
    });
  });
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Options of {@link ShoalProcess.start}. */
export interface ShoalProcessOptions {
  /** Data directory to use (default: a new temporary directory, removed by `dispose()`). */
  dataDir?: string;
  /** Extra `shoal start` arguments, e.g. `['--index-workers', '1']`. */
  args?: string[];
  /** How long to wait for `/healthz` after each spawn, ms (default 60,000). */
  readyTimeoutMs?: number;
}

/** How a child process ended. */
export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * One `shoal start` process (see the file comment). Create with {@link ShoalProcess.start}; the
 * instance survives restarts (same data directory, same port when it is still free).
 */
export class ShoalProcess {
  /** The data directory (`--data-dir`). */
  readonly dataDir: string;
  /** Extra arguments passed on every spawn. */
  readonly args: string[];
  /** Readiness timeout per spawn, ms. */
  readonly readyTimeoutMs: number;
  /** The port the current (or last) process listens on. */
  port = 0;
  /** Milliseconds from the last spawn to the first `/healthz` answer `{status:"ok"}`. */
  lastReadyMs = 0;
  /** `performance.now()` at the last spawn (to time what follows a restart from the spawn). */
  spawnedAt = 0;
  /** Number of spawns so far (1 after `start`, +1 per restart). */
  spawns = 0;
  private child: ChildProcess | null = null;
  private exited: Promise<ExitStatus> | null = null;
  private output = '';
  private readonly ownsDataDir: boolean;

  private constructor(dataDir: string, ownsDataDir: boolean, opts: ShoalProcessOptions) {
    this.dataDir = dataDir;
    this.ownsDataDir = ownsDataDir;
    this.args = opts.args ?? [];
    this.readyTimeoutMs = opts.readyTimeoutMs ?? 60_000;
  }

  /**
   * Spawns `shoal start` on a free port and waits until `/healthz` answers. Throws (after killing
   * the child) when the process exits early or is not ready within `readyTimeoutMs`; the error
   * message carries the process output.
   */
  static async start(opts: ShoalProcessOptions = {}): Promise<ShoalProcess> {
    const owns = opts.dataDir === undefined;
    const dir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'shoal-it-'));
    const p = new ShoalProcess(dir, owns, opts);
    try {
      await p.spawnReady(await freePort());
    } catch (e) {
      await p.dispose();
      throw e;
    }
    return p;
  }

  /** Base URL of the REST API, e.g. `http://127.0.0.1:43121`. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** True while the current child process has not exited. */
  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The process id of the current child (undefined when none). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The last {@link OUTPUT_TAIL_CHARS} characters of stdout and stderr of all spawns. */
  logs(): string {
    return this.output;
  }

  /**
   * Sends `signal` (default SIGKILL) to the current process and waits for it to exit (at most
   * `timeoutMs`, default 15,000; then SIGKILL). Resolves with how it ended; a no-op when it is not
   * running.
   */
  async kill(signal: NodeJS.Signals = 'SIGKILL', timeoutMs = 15_000): Promise<ExitStatus> {
    const child = this.child;
    const exited = this.exited;
    if (!child || !exited) return { code: null, signal: null };
    if (!this.running) return exited;
    child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((r) => { timer = setTimeout(() => r('timeout'), timeoutMs); });
    const first = await Promise.race([exited, timedOut]);
    clearTimeout(timer);
    if (first === 'timeout') {
      child.kill('SIGKILL');
      return exited;
    }
    return first;
  }

  /**
   * Starts a new process on the same data directory (killing the current one with SIGKILL first if
   * it still runs) and waits for `/healthz`. Reuses the port unless it was taken meanwhile.
   * Resolves with the milliseconds from spawn to ready (also in `lastReadyMs`).
   */
  async restart(): Promise<number> {
    if (this.running) await this.kill('SIGKILL');
    await this.spawnReady(this.port);
    return this.lastReadyMs;
  }

  /** Kills the process (SIGKILL) and removes the data directory when this instance created it. */
  async dispose(): Promise<void> {
    await this.kill('SIGKILL');
    if (this.ownsDataDir) rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** Spawns and waits; on `EADDRINUSE` tries again on a fresh port (at most 3 attempts). */
  private async spawnReady(port: number): Promise<void> {
    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.spawnOnce(attempt === 0 ? port : await freePort());
        return;
      } catch (e) {
        lastError = e;
        if (!String((e as Error).message).includes('EADDRINUSE')) throw e;
      }
    }
    throw lastError;
  }

  private async spawnOnce(port: number): Promise<void> {
    this.port = port;
    this.spawns++;
    const argv = [join(REPO_ROOT, 'apps', 'node', 'src', 'bin.ts'), 'start', '--data-dir', this.dataDir,
      '--port', String(port), '--host', '127.0.0.1', ...this.args];
    this.append(`\n--- spawn #${this.spawns}: node ${argv.join(' ')}\n`);
    const started = performance.now();
    this.spawnedAt = started;
    const child = spawn(nodeBinary(), argv, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    live.add(child);
    this.exited = new Promise<ExitStatus>((r) => {
      child.once('exit', (code, signal) => {
        live.delete(child);
        this.append(`--- process ${child.pid} exited: code ${code}, signal ${signal}\n`);
        r({ code, signal });
      });
    });
    child.stdout?.setEncoding('utf8').on('data', (s: string) => this.append(s));
    child.stderr?.setEncoding('utf8').on('data', (s: string) => this.append(s));
    child.once('error', (err) => this.append(`--- spawn error: ${err.message}\n`));
    try {
      await this.waitHealthy(started);
    } catch (e) {
      await this.kill('SIGKILL');
      throw new Error(`${(e as Error).message}\n--- shoal output (tail) ---\n${this.output}`);
    }
  }

  /** Polls `/healthz` every 50 ms until `{status:"ok"}`, the child exits, or the deadline passes. */
  private async waitHealthy(started: number): Promise<void> {
    const deadline = started + this.readyTimeoutMs;
    while (performance.now() < deadline) {
      if (!this.running) throw new Error(`shoal start exited before it was ready (port ${this.port}, data dir ${this.dataDir})`);
      try {
        const res = await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(1_000) });
        const body = (await res.json()) as { status?: string };
        if (res.status === 200 && body.status === 'ok') {
          this.lastReadyMs = performance.now() - started;
          return;
        }
      } catch {
        // not listening yet
      }
      await sleep(50);
    }
    throw new Error(`shoal start was not ready within ${this.readyTimeoutMs} ms (port ${this.port})`);
  }

  private append(text: string): void {
    this.output += text;
    if (this.output.length > OUTPUT_TAIL_CHARS) this.output = this.output.slice(-OUTPUT_TAIL_CHARS);
  }
}
