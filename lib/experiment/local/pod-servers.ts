import * as http from 'http';
import { EchoHeader, renderEchoResponse } from '../echo-response';

/** What a pod knows about itself, as the Downward API would tell it. */
export interface EchoPodIdentity {
  readonly nodeName: string;
  readonly podName: string;
  readonly podNamespace: string;
  readonly podIp: string;
}

/** Echo servers stopping gracefully: each answer closes its connection. */
const stopping = new WeakSet<http.Server>();

/**
 * How an echo pod's nginx stops: `graceful` as on SIGQUIT (no new connections, idle keep-alive connections closed,
 * requests in flight answered, each with its connection closed after), `fast` as on SIGTERM (every connection closed
 * at once). Resolves once every connection is gone.
 */
export function stopEchoServer(server: http.Server, how: 'graceful' | 'fast'): Promise<void> {
  stopping.add(server);
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  if (how === 'fast') server.closeAllConnections();
  else server.closeIdleConnections();
  return closed;
}

/** An HTTP server answering every request in the echoserver format, as the lab's echo pods do. */
export function createEchoServer(pod: EchoPodIdentity, port: number): http.Server {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers: EchoHeader[] = [];
      for (let i = 0; i < req.rawHeaders.length; i += 2) headers.push({ name: req.rawHeaders[i].toLowerCase(), value: req.rawHeaders[i + 1] });
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const host = (req.headers.host ?? '').replace(/:\d+$/, '');
      const body = chunks.length > 0 ? Buffer.concat(chunks).toString('utf8') : undefined;
      const text = renderEchoResponse({
        hostname: pod.podName,
        pod,
        serverVersion: `node: ${process.version}`,
        clientAddress: req.socket.remoteAddress ?? '',
        method: req.method ?? 'GET',
        realPath: url,
        query: q < 0 ? '' : url.slice(q + 1),
        requestVersion: req.httpVersion,
        requestScheme: 'http',
        requestUri: `http://${host}:${port}${url}`,
        headers,
        body,
      });
      res.writeHead(200, { 'content-type': 'text/plain', ...(stopping.has(server) ? { connection: 'close' } : {}) }).end(text);
    });
  });
  server.keepAliveTimeout = 75_000;
  return server;
}

/**
 * kube-proxy's health-check node port for a `Local` Service: 200 while the node has a ready local endpoint,
 * 503 without one, the count in the body and in `X-Load-Balancing-Endpoint-Weight`, as kube-proxy answers.
 */
export function createHealthCheckNodePortServer(service: { namespace: string; name: string }, localEndpoints: number): http.Server {
  return http.createServer((_req, res) => {
    res.writeHead(localEndpoints > 0 ? 200 : 503, {
      'Content-Type': 'application/json', 'X-Content-Type-Options': 'nosniff', 'X-Load-Balancing-Endpoint-Weight': String(localEndpoints),
    }).end(JSON.stringify({ service: { namespace: service.namespace, name: service.name }, localEndpoints, serviceProxyHealthy: true }, undefined, '\t'));
  });
}
