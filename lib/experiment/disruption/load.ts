import * as http from 'http';
import * as https from 'https';
import { performance } from 'perf_hooks';
import { EchoFormatError, parseEchoResponse } from '../echo-response';
import { UserError } from '../../errors';
import { FailureKind, RequestSample } from './types';

/** How to load one URL. */
export interface LoadOptions {
  /** `http://` or `https://` URL of the path's load balancer (or its stand-in). */
  readonly url: string;
  /** Requests started per second, whatever the answers take (an open loop: a stalled backend does not slow the load). */
  readonly ratePerSecond: number;
  /** How long requests are started for, in milliseconds; {@link LoadRun.extendTo} lengthens it. */
  readonly windowMs: number;
  /** Per-request deadline in milliseconds, from the start of the request to the end of its answer. @default 5000 */
  readonly timeoutMs?: number;
  /**
   * Reuse connections, as browsers and most clients do. Off, every request opens its own connection.
   * @default false
   */
  readonly keepAlive?: boolean;
}

/** A load that is running. */
export interface LoadRun {
  /** Milliseconds since the window began. */
  elapsedMs(): number;
  /** Keeps starting requests past the window's end until {@link extendTo} says when to stop (a disruption under way). */
  hold(): void;
  /** Keeps starting requests until `ms` from the start of the window, when that is later than its end; ends a hold. */
  extendTo(ms: number): void;
  /** The window's length so far. */
  windowMs(): number;
  /** Ends the window now (after a failed disruption: nothing more to measure). */
  stop(): void;
  /** Every request, once the window has ended and the last request has answered or timed out. */
  readonly done: Promise<RequestSample[]>;
}

/** A URL that does not answer like the echo server before the load starts; one line for the user. */
export class LoadTargetError extends UserError {}

/**
 * Starts a steady load: request `i` starts `i / ratePerSecond` seconds into the window, on time even while earlier
 * ones wait. Each request becomes a {@link RequestSample}: 2xx with an echo body is a success that names the pod;
 * anything else is a failure of the kind {@link classifyFailure} gives.
 */
export function startLoad(options: LoadOptions): LoadRun {
  const url = new URL(options.url);
  const lib = url.protocol === 'https:' ? https : http;
  const keepAlive = options.keepAlive ?? false;
  const agent = new lib.Agent({ keepAlive, maxSockets: Infinity });
  const timeoutMs = options.timeoutMs ?? 5000;
  const intervalMs = 1000 / options.ratePerSecond;
  const t0 = performance.now();
  const elapsedMs = () => performance.now() - t0;
  let endMs = options.windowMs;
  let held = false;
  const end = () => (held ? Infinity : endMs);
  const pending: Promise<RequestSample>[] = [];

  const done = new Promise<RequestSample[]>((resolve) => {
    let next = 0;
    const tick = () => {
      // Catch up on every request due by now, so timer lateness does not lower the rate.
      while (next * intervalMs <= Math.min(elapsedMs(), end()) && next * intervalMs < end()) {
        pending.push(requestSample(lib, url, agent, keepAlive, timeoutMs, next * intervalMs));
        next += 1;
      }
      if (next * intervalMs < end()) {
        setTimeout(tick, Math.max(0, next * intervalMs - elapsedMs()));
        return;
      }
      void Promise.all(pending).then((samples) => {
        agent.destroy();
        resolve(samples);
      });
    };
    tick();
  });
  return {
    elapsedMs, done,
    hold: () => { held = true; },
    extendTo: (ms) => { endMs = Math.max(endMs, ms); held = false; },
    windowMs: () => endMs,
    stop: () => { endMs = Math.min(endMs, elapsedMs()); held = false; },
  };
}

/**
 * One request to `url`, before any load: it must answer 2xx with an echo body, or the URL is not a lab path and
 * nothing should be disrupted for it.
 *
 * @throws LoadTargetError naming the URL and what came back
 */
export async function checkLoadTarget(label: string, targetUrl: string, timeoutMs = 5000): Promise<string> {
  const url = new URL(targetUrl);
  const lib = url.protocol === 'https:' ? https : http;
  const agent = new lib.Agent({ keepAlive: false });
  try {
    const sample = await requestSample(lib, url, agent, false, timeoutMs, 0);
    if (sample.ok) return sample.pod!;
    const why = sample.status !== undefined ? `HTTP ${sample.status}${sample.status === 200 ? ', not an echo body' : ''}` : sample.failure;
    throw new LoadTargetError(`${label}: ${targetUrl} does not answer like the echo server (${why}); ` +
      'check the URL, and that the path is deployed and healthy.');
  } finally {
    agent.destroy();
  }
}

/** Where a request was when it failed: opening the connection, or after. */
type Phase = 'connect' | 'exchange';

/**
 * The failure kind of a transport error: the deadline → `timeout`; a connection that could not be opened
 * (ECONNREFUSED, but also an unreachable host or a name that does not resolve) → `refused`; a connection that broke
 * after it opened (ECONNRESET, `socket hang up`, EPIPE, anything else) → `reset`.
 */
export function classifyFailure(error: Error & { code?: string }, phase: Phase): FailureKind {
  if (error instanceof DeadlineError || error.code === 'ETIMEDOUT') return 'timeout';
  if (phase === 'connect' || error.code === 'ECONNREFUSED') return 'refused';
  return 'reset';
}

/** The failure kind of an answer: 502, 503 and 504 by name (what a load balancer sends), any other status together. */
export function classifyStatus(status: number): FailureKind | undefined {
  if (status >= 200 && status < 300) return undefined;
  return status === 502 ? 'http-502' : status === 503 ? 'http-503' : status === 504 ? 'http-504' : 'http-other';
}

class DeadlineError extends Error {}

function requestSample(lib: typeof http | typeof https, url: URL, agent: http.Agent, keepAlive: boolean, timeoutMs: number,
  startMs: number): Promise<RequestSample> {
  return new Promise((resolve) => {
    let phase: Phase = 'connect';
    let settled = false;
    const settle = (sample: RequestSample) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      resolve(sample);
    };
    const fail = (error: Error) => settle({ startMs, ok: false, failure: classifyFailure(error, phase) });
    const req = lib.request(url, {
      method: 'GET', agent,
      headers: { 'user-agent': 'eks-lb-lab-probe', ...(keepAlive ? {} : { connection: 'close' }) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', fail);
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        const kind = classifyStatus(status);
        if (kind) return settle({ startMs, ok: false, failure: kind, status });
        try {
          const echo = parseEchoResponse(Buffer.concat(chunks).toString('utf8'));
          settle({ startMs, ok: true, status, pod: echo.pod?.podName ?? echo.hostname });
        } catch (e) {
          if (!(e instanceof EchoFormatError)) throw e;
          settle({ startMs, ok: false, failure: 'http-other', status });
        }
      });
    });
    const deadline = setTimeout(() => req.destroy(new DeadlineError('timeout')), timeoutMs);
    req.on('socket', (socket) => {
      // A reused keep-alive socket is already open.
      if (!socket.connecting) phase = 'exchange';
      else socket.once('connect', () => { phase = 'exchange'; });
    });
    req.on('error', fail);
    req.end();
  });
}
