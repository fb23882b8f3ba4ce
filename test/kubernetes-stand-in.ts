import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as path from 'path';
import { tempDir } from './temp';

/** One request the stand-in answered. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
}

/** A stand-in API server on loopback, and a kubeconfig that points at it. */
export interface KubernetesStandIn {
  readonly server: string;
  /** A kubeconfig file (context `stand-in`, a bearer token), in a temp folder removed after the test file. */
  readonly kubeconfig: string;
  /** Every request so far, in order. */
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

/** An answer other than 200 with the recorded body: `{ "$status": 403 }`. */
export interface StatusAnswer {
  readonly $status: number;
}

/** A request as a {@link StandInHandler} sees it: the recorded fields, the content type and the parsed JSON body. */
export interface HandledRequest extends RecordedRequest {
  readonly contentType?: string;
  readonly body?: unknown;
}

/**
 * Answers a request ahead of the recorded paths: a 2xx body, `{ $status }` for a Status failure, or undefined to
 * fall through to the recordings.
 */
export type StandInHandler = (request: HandledRequest) => { readonly status: number; readonly body: unknown } | undefined;

/**
 * Starts an HTTP server on 127.0.0.1 that answers GET requests for the recorded paths with their JSON (query strings
 * are recorded but do not select), every other path with a 404 Status as the API server writes it, and anything but
 * GET with 405. A `handler`, when given, answers first (a stateful stand-in: writes, queries that select).
 */
export async function startKubernetesStandIn(responses: Readonly<Record<string, unknown>>, handler?: StandInHandler): Promise<KubernetesStandIn> {
  const requests: RecordedRequest[] = [];
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    requests.push({ method: req.method ?? '', path: url.pathname, query: Object.fromEntries(url.searchParams) });
    const send = (code: number, body: unknown) => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const status = (code: number, reason: string) => send(code, {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `${reason}: ${url.pathname}`, reason, code,
    });
    if (handler) {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const text = Buffer.concat(chunks).toString('utf8');
      const answer = handler({ method: req.method ?? '', path: url.pathname, query: Object.fromEntries(url.searchParams),
        contentType: req.headers['content-type'], body: text === '' ? undefined : JSON.parse(text) });
      if (answer) {
        if (answer.status >= 300) return status(answer.status, STATUS_REASONS[answer.status] ?? 'Failure');
        return send(answer.status, answer.body);
      }
    }
    if (req.method !== 'GET') return status(405, 'MethodNotAllowed');
    const body = responses[url.pathname];
    if (body === undefined) return status(404, 'NotFound');
    const answer = body as Partial<StatusAnswer>;
    if (typeof answer.$status === 'number') return status(answer.$status, answer.$status === 403 ? 'Forbidden' : 'Failure');
    return send(200, body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    server: address,
    kubeconfig: writeKubeconfig(address),
    requests,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

const STATUS_REASONS: Readonly<Record<number, string>> = { 403: 'Forbidden', 404: 'NotFound', 409: 'Conflict', 429: 'TooManyRequests' };

/** A kubeconfig with one context, `stand-in`, for `server`; written to a temp folder. */
export function writeKubeconfig(server: string, dir: string = tempDir('eks-lb-lab-kubeconfig-')): string {
  const file = path.join(dir, 'config');
  fs.writeFileSync(file, [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: stand-in',
    '  cluster:',
    `    server: ${server}`,
    // client-node refuses plain HTTP unless told to skip TLS verification; the stand-in has no TLS.
    '    insecure-skip-tls-verify: true',
    'users:',
    '- name: reader',
    '  user:',
    '    token: stand-in-token',
    'contexts:',
    '- name: stand-in',
    '  context:',
    '    cluster: stand-in',
    '    user: reader',
    'current-context: stand-in',
    '',
  ].join('\n'));
  return file;
}
