/**
 * The client's adapter to the real world (DESIGN.md, determinism rule: package code reaches time
 * and network only through injectable interfaces; real implementations live in `node/` folders).
 */

/** What the transport needs from its platform: HTTP requests and a monotonic clock. */
export interface ClientPlatform {
  /**
   * `fetch` as in the WHATWG Fetch standard, aborted with a `TimeoutError` (a `DOMException`)
   * when no response arrives within `timeoutMs` ms.
   */
  fetch(url: string, init: RequestInit, timeoutMs: number): Promise<Response>;
  /** Monotonic time in ms (only differences are used). */
  nowMs(): number;
}

/** The real platform: the global `fetch` (Node ≥ 18, browsers) and `performance.now()`. */
export const realPlatform: ClientPlatform = {
  fetch: (url, init, timeoutMs) => fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) }),
  nowMs: () => performance.now(),
};
