/**
 * The process the emulation starts inside a namespace (`ip netns exec <ns> node agent.js`): the echo server of
 * a pod, kube-proxy's health-check node port on a node, or the load balancer. It answers requests from the
 * parent over the IPC channel, so one process serves a namespace for the whole run.
 */
import * as http from 'http';
import * as net from 'net';
import { AlbListener, AlbListenerConfig } from './alb';
import { AlbTarget } from './alb';
import { EchoPodIdentity, createEchoServer, createHealthCheckNodePortServer, stopEchoServer } from './pod-servers';

/** Requests the parent sends; each gets `{ id, result }` or `{ id, error }` back. */
export type AgentRequest =
  | { readonly method: 'echo'; readonly pod: EchoPodIdentity; readonly port: number }
  | { readonly method: 'healthCheckNodePort'; readonly service: { namespace: string; name: string }; readonly port: number; readonly localEndpoints: number }
  | { readonly method: 'listen'; readonly listener: AlbListenerConfig }
  | { readonly method: 'targetHealth'; readonly name: string }
  | { readonly method: 'forwarded'; readonly name: string }
  | { readonly method: 'unlisten'; readonly name: string }
  | { readonly method: 'get'; readonly address: string; readonly port: number; readonly path: string; readonly localAddress?: string }
  | { readonly method: 'tcpCheck'; readonly address: string; readonly port: number; readonly localAddress?: string; readonly timeoutMs: number }
  | { readonly method: 'closeServers' }
  | { readonly method: 'stopEcho'; readonly how: 'graceful' | 'fast' }
  | { readonly method: 'register'; readonly name: string; readonly targets: readonly AlbTarget[] }
  | { readonly method: 'deregister'; readonly name: string; readonly targets: readonly AlbTarget[]; readonly delayMs: number };

const listeners = new Map<string, AlbListener>();
const servers: http.Server[] = [];
/** The echo servers of this namespace's pod, still serving. */
const echoServers: http.Server[] = [];

function listen(server: http.Server, port: number): Promise<void> {
  servers.push(server);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '0.0.0.0', () => resolve());
  });
}

async function handle(request: AgentRequest): Promise<unknown> {
  switch (request.method) {
    case 'echo': {
      const server = createEchoServer(request.pod, request.port);
      echoServers.push(server);
      server.on('close', () => echoServers.splice(echoServers.indexOf(server), 1));
      return listen(server, request.port);
    }
    case 'stopEcho':
      // A fast stop also ends a graceful one still waiting for its connections, as SIGKILL at the end of the grace period does.
      await Promise.all([...echoServers].map((s) => stopEchoServer(s, request.how)));
      return undefined;
    case 'register':
      listeners.get(request.name)?.register(request.targets);
      return undefined;
    case 'deregister':
      listeners.get(request.name)?.deregister(request.targets, request.delayMs);
      return undefined;
    case 'healthCheckNodePort':
      return listen(createHealthCheckNodePortServer(request.service, request.localEndpoints), request.port);
    case 'closeServers':
      await Promise.all(servers.splice(0).map((s) => new Promise((r) => { s.closeAllConnections(); s.close(r); })));
      return undefined;
    case 'listen': {
      const listener = new AlbListener(request.listener);
      listeners.set(request.listener.name, listener);
      await listener.start();
      await listener.settled();
      return listener.targetHealth();
    }
    case 'targetHealth':
      return listeners.get(request.name)?.targetHealth() ?? [];
    case 'forwarded':
      return listeners.get(request.name)?.forwarded() ?? [];
    case 'unlisten': {
      const listener = listeners.get(request.name);
      listeners.delete(request.name);
      const health = listener?.targetHealth() ?? [];
      await listener?.close();
      return health;
    }
    case 'tcpCheck':
      return new Promise((resolve) => {
        const socket = net.connect({ host: request.address, port: request.port, localAddress: request.localAddress });
        let settled = false;
        const done = (result: { pass: boolean; reason?: string }) => {
          if (!settled) resolve(result);
          settled = true;
          socket.destroy();
        };
        socket.setTimeout(request.timeoutMs, () => done({ pass: false, reason: 'Target.Timeout' }));
        socket.once('connect', () => done({ pass: true }));
        socket.on('error', () => done({ pass: false, reason: 'Target.FailedHealthChecks' }));
      });
    case 'get':
      return new Promise((resolve) => {
        const req = http.get({
          host: request.address, port: request.port, path: request.path, agent: false, localAddress: request.localAddress, timeout: 1000,
        }, (res) => {
          let body = '';
          res.setEncoding('utf8').on('data', (c) => { body += c; }).on('end', () => resolve({ status: res.statusCode, body }));
        });
        req.on('timeout', () => req.destroy(new Error('timed out')));
        req.on('error', (e) => resolve({ status: 0, body: e.message }));
      });
  }
}

if (process.send) {
  process.on('message', (message: { id: number; request: AgentRequest }) => {
    handle(message.request).then(
      (result) => process.send!({ id: message.id, result }),
      (error: Error) => process.send!({ id: message.id, error: error.message }),
    );
  });
  process.on('disconnect', () => process.exit(0));
  process.send({ id: 0, result: 'ready' });
}
