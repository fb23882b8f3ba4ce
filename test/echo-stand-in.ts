import * as http from 'http';
import { AddressInfo } from 'net';
import { renderEchoResponse } from '../lib/experiment/echo-response';

/** How one pod stand-in answers: the echo body, or a failure a real backend can produce. */
export type EchoBehaviour = 'echo' | 'status-502' | 'status-503' | 'not-echo' | 'hang-up' | 'silent';

/** A pod's echo server on loopback: the echo body naming `pod`, until it is stopped. */
export interface EchoStandIn {
  readonly url: string;
  readonly port: number;
  /** The pod name the echo body carries. */
  pod: string;
  behaviour: EchoBehaviour;
  /** Requests answered so far. */
  readonly served: number;
  /** Stops listening and breaks every open connection, in-flight requests included, as a pod that exits at once. */
  stop(): Promise<void>;
  /** Listens again on the same port as `pod`. */
  restart(pod: string): Promise<void>;
}

/** Starts an echo server on 127.0.0.1 (a free port, or `port`) answering as `pod` on `node`. */
export async function startEchoStandIn(pod: string, node = 'ip-10-0-130-77.ec2.internal', port = 0): Promise<EchoStandIn> {
  let server: http.Server | undefined;
  const stand: { pod: string; behaviour: EchoBehaviour; served: number } = { pod, behaviour: 'echo', served: 0 };
  const handler: http.RequestListener = (req, res) => {
    stand.served += 1;
    switch (stand.behaviour) {
      case 'status-502': res.writeHead(502).end('<html>502 Bad Gateway</html>'); return;
      case 'status-503': res.writeHead(503).end('<html>503 Service Temporarily Unavailable</html>'); return;
      case 'not-echo': res.end('hello'); return;
      case 'hang-up': req.socket.destroy(); return;
      case 'silent': return;
      default: res.end(renderEchoResponse({
        hostname: stand.pod, pod: { nodeName: node, podName: stand.pod, podNamespace: 'lab', podIp: '10.0.170.9' },
        serverVersion: 'nginx: 1.14.2 - lua: 10015', clientAddress: req.socket.remoteAddress ?? '', method: req.method ?? 'GET',
        realPath: req.url ?? '/', query: '', requestVersion: req.httpVersion, requestScheme: 'http',
        requestUri: `http://${req.headers.host}${req.url}`,
        headers: Object.entries(req.headers).map(([name, value]) => ({ name, value: String(value) })),
      }));
    }
  };
  const listen = async (at: number) => {
    server = http.createServer(handler);
    await new Promise<void>((resolve) => server!.listen(at, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  };
  const actualPort = await listen(port);
  const stop = () => new Promise<void>((resolve) => {
    if (!server) return resolve();
    const s = server;
    server = undefined;
    s.close(() => resolve());
    s.closeAllConnections();
  });
  return Object.assign(stand, {
    url: `http://127.0.0.1:${actualPort}/`,
    port: actualPort,
    stop,
    restart: async (next: string) => {
      await stop();
      stand.pod = next;
      await listen(actualPort);
    },
  });
}
