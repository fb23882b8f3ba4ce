import * as http from 'http';
import { AddressInfo } from 'net';
import { forwardedFor, parseEchoResponse } from '../../../../lib/experiment/echo-response';
import { createEchoServer, createHealthCheckNodePortServer, stopEchoServer } from '../../../../lib/experiment/local/pod-servers';

async function serve(server: http.Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c) => { body += c; }).on('end', () => resolve({ status: res.statusCode!, body }));
    }).on('error', reject);
  });
}

describe('createEchoServer', () => {
  test('answers in the echoserver format the probe parses: pod identity, TCP peer, request and headers', async () => {
    const pod = { nodeName: 'ip-10-0-0-10.ec2.internal', podName: 'echo-abc-12345', podNamespace: 'ip-mode', podIp: '10.0.0.100' };
    const server = createEchoServer(pod, 8080);
    const port = await serve(server);
    try {
      const { status, body } = await get(port, '/x?y=1', { 'host': 'lab.example', 'x-forwarded-for': '198.51.100.7' });
      expect(status).toBe(200);
      const echo = parseEchoResponse(body);
      expect(echo).toMatchObject({
        hostname: 'echo-abc-12345', pod, clientAddress: '127.0.0.1', method: 'GET', realPath: '/x?y=1', query: 'y=1',
        requestUri: 'http://lab.example:8080/x?y=1',
      });
      expect(forwardedFor(echo)).toEqual(['198.51.100.7']);
    } finally {
      server.close();
    }
  });
});

describe('stopEchoServer', () => {
  const pod = { nodeName: 'n', podName: 'echo-abc-12345', podNamespace: 'ip-mode', podIp: '10.0.0.100' };
  /** A keep-alive connection with one answered request: the socket and its `close` as a promise. */
  async function keptAlive(port: number): Promise<{ agent: http.Agent; closed: Promise<void> }> {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const closed = new Promise<void>((resolve) => {
      http.get({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
        res.socket.once('close', () => resolve());
        res.resume();
      });
    });
    await new Promise((r) => setTimeout(r, 50));
    return { agent, closed };
  }

  test('graceful, as nginx on SIGQUIT: no new connections, idle keep-alive connections closed, then done', async () => {
    const server = createEchoServer(pod, 8080);
    const port = await serve(server);
    const { agent, closed } = await keptAlive(port);
    await stopEchoServer(server, 'graceful');
    await closed;
    await expect(get(port, '/')).rejects.toThrow(/ECONNREFUSED/);
    agent.destroy();
  });

  test('graceful: a request in flight is answered, with Connection: close', async () => {
    const server = createEchoServer(pod, 8080);
    const port = await serve(server);
    const answer = new Promise<string | undefined>((resolve) => {
      const req = http.request({ host: '127.0.0.1', port, path: '/', method: 'POST', agent: false }, (res) => {
        res.resume();
        resolve(res.headers.connection);
      });
      req.write('part');
      setTimeout(() => { void stopEchoServer(server, 'graceful'); setTimeout(() => req.end('-rest'), 30); }, 30);
    });
    expect(await answer).toBe('close');
  });

  test('fast, as nginx on SIGTERM: every connection closed at once', async () => {
    const server = createEchoServer(pod, 8080);
    const port = await serve(server);
    const failed = new Promise<string>((resolve) => {
      const req = http.request({ host: '127.0.0.1', port, path: '/', method: 'POST', agent: false }, () => resolve('answered'));
      req.on('error', (e) => resolve(e.message));
      req.write('part');
      setTimeout(() => void stopEchoServer(server, 'fast'), 30);
    });
    expect(await failed).toMatch(/socket hang up|ECONNRESET/);
  });
});

describe('createHealthCheckNodePortServer', () => {
  test('answers as kube-proxy does: JSON, nosniff, the local endpoint count as X-Load-Balancing-Endpoint-Weight', async () => {
    const server = createHealthCheckNodePortServer({ namespace: 'instance-mode', name: 'echo' }, 2);
    const port = await serve(server);
    try {
      const res = await new Promise<http.IncomingMessage & { text: string }>((resolve, reject) => {
        http.get({ host: '127.0.0.1', port, path: '/healthz', agent: false }, (r) => {
          let text = '';
          r.setEncoding('utf8').on('data', (c) => { text += c; }).on('end', () => resolve(Object.assign(r, { text })));
        }).on('error', reject);
      });
      expect(res.headers).toMatchObject({
        'content-type': 'application/json', 'x-content-type-options': 'nosniff', 'x-load-balancing-endpoint-weight': '2',
      });
      expect(res.text).toBe('{\n\t"service": {\n\t\t"namespace": "instance-mode",\n\t\t"name": "echo"\n\t},\n' +
        '\t"localEndpoints": 2,\n\t"serviceProxyHealthy": true\n}');
    } finally {
      server.close();
    }
  });

  test('200 with local endpoints, 503 without, the count in the body', async () => {
    const service = { namespace: 'instance-mode', name: 'echo' };
    const [some, none] = [createHealthCheckNodePortServer(service, 1), createHealthCheckNodePortServer(service, 0)];
    const [a, b] = await Promise.all([serve(some), serve(none)]);
    try {
      const [ok, down] = await Promise.all([get(a, '/healthz'), get(b, '/healthz')]);
      expect([ok.status, JSON.parse(ok.body).localEndpoints]).toEqual([200, 1]);
      expect([down.status, JSON.parse(down.body).localEndpoints]).toEqual([503, 0]);
    } finally {
      some.close();
      none.close();
    }
  });
});
