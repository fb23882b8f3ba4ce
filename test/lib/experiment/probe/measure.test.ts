import * as http from 'http';
import { AddressInfo } from 'net';
import { App } from 'cdk8s';
import { IngressWorkloadChart } from '../../../../lib';
import { EchoResponse, ExpectedPath, expectedPaths, parseIpv6Cidr, renderEchoResponse } from '../../../../lib/experiment';
import {
  ProbeError, addressFromNodeName, analyse, comparePath, measure, peerClassifier, percentile, probePaths,
} from '../../../../lib/experiment/probe/measure';

const NODE_A = 'ip-10-0-130-77.ec2.internal';
const NODE_B = 'ip-10-0-160-23.ec2.internal';
const CALLER = '198.51.100.23';

function echo(over: Omit<Partial<EchoResponse>, 'pod'> & { node: string; pod: string }): EchoResponse {
  const { node, pod, ...rest } = over;
  return {
    hostname: pod,
    pod: { nodeName: node, podName: pod, podNamespace: 'lab', podIp: '10.0.171.45' },
    serverVersion: 'nginx: 1.14.2 - lua: 10015',
    clientAddress: '10.0.41.208',
    method: 'GET', realPath: '/', query: '', requestVersion: '1.1', requestScheme: 'http', requestUri: 'http://lb:8080/',
    headers: [{ name: 'host', value: 'lb' }],
    ...rest,
  };
}

const xff = (value = CALLER) => [{ name: 'host', value: 'lb' }, { name: 'x-forwarded-for', value }];

/** A loopback server answering each request with the next response of `answer(n)`; counts connections. */
async function server(answer: (n: number) => { status?: number; body: string }) {
  let n = 0;
  let connections = 0;
  const srv = http.createServer((req, res) => {
    const a = answer(n++);
    res.writeHead(a.status ?? 200, { 'content-type': 'text/plain' });
    res.end(a.body);
  });
  srv.on('connection', () => { connections += 1; });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    connections: () => connections,
    close: () => new Promise<void>((resolve) => { srv.closeAllConnections(); srv.close(() => resolve()); }),
  };
}

const chartPath = (targetType: 'ip' | 'instance', externalTrafficPolicy?: 'Local'): ExpectedPath =>
  expectedPaths(new IngressWorkloadChart(new App(), 'C', { targetType, externalTrafficPolicy }).toJson())[0];

describe('probePaths against loopback echo servers', () => {
  test('ip and instance modes measured and compared with the model: they agree', async () => {
    const ip = await server((n) => ({ body: renderEchoResponse(echo({ node: n % 2 ? NODE_A : NODE_B, pod: `echo-ip-${n % 2}`, clientAddress: '10.0.41.208', headers: xff() })) }));
    // instance + Cluster: entered node A or B (the peer after SNAT), served on either.
    const instance = await server((n) => ({
      body: renderEchoResponse(echo({
        node: n % 2 ? NODE_A : NODE_B, pod: `echo-in-${n % 2}`, clientAddress: n % 3 === 0 ? '10.0.130.77' : '10.0.160.23', headers: xff(),
      })),
    }));
    try {
      const progress: number[] = [];
      const report = await probePaths([
        { mode: 'ip', url: ip.url, expected: chartPath('ip') },
        { mode: 'instance', url: instance.url, expected: chartPath('instance') },
      ], { requests: 30, concurrency: 4, onProgress: (p) => progress.push(p.done) });
      expect(progress).toHaveLength(60);
      expect(report.clientIp).toEqual({ address: CALLER, source: 'x-forwarded-for' });
      const [a, b] = report.modes;
      expect(a.measured).toMatchObject({ requests: 30, answered: 30, xForwardedFor: 30, xForwardedForEndsWithClient: 30 });
      expect(a.measured.peerClasses).toEqual({ 'load-balancer': 30, 'node': 0, 'client': 0, 'unknown': 0 });
      expect(Object.values(a.measured.pods).reduce((x, y) => x + y, 0)).toBe(30);
      expect(Object.keys(a.measured.nodes).sort()).toEqual([NODE_A, NODE_B]);
      expect(b.measured.peerClasses.node).toBe(30);
      expect(b.measured.crossNode.observed).toBe(30);
      expect(b.measured.crossNode.crossed).toBeGreaterThan(0);
      expect(a.measured.latencyMs.p50).toBeLessThanOrEqual(a.measured.latencyMs.p99);
      expect(report.modes.map((m) => m.agree)).toEqual([true, true]);
      expect(report.agree).toBe(true);
    } finally {
      await Promise.all([ip.close(), instance.close()]);
    }
  });

  test('a measurement that contradicts the model disagrees, check by check', async () => {
    // Expected ip mode, but the pod sees node addresses and there is no X-Forwarded-For.
    const srv = await server((n) => ({ body: renderEchoResponse(echo({ node: n % 2 ? NODE_A : NODE_B, pod: `p${n % 2}`, clientAddress: '10.0.160.23' })) }));
    try {
      const report = await probePaths([{ mode: 'ip', url: srv.url, expected: chartPath('ip') }],
        { requests: 6, hints: { clientIp: CALLER } });
      expect(report.agree).toBe(false);
      const checks = Object.fromEntries(report.modes[0].checks.map((c) => [c.name, c]));
      expect(checks["pod's TCP peer"]).toMatchObject({ expected: 'load balancer', measured: 'node 6', agree: false });
      expect(checks['X-Forwarded-For']).toMatchObject({ agree: false, measured: 'present in 0/6' });
      expect(checks['cross-node'].agree).toBe(false);
      expect(checks['requests answered'].agree).toBe(true);
    } finally {
      await srv.close();
    }
  });

  test('without keep-alive each request opens a connection; with it they share a few', async () => {
    const srv = await server(() => ({ body: renderEchoResponse(echo({ node: NODE_A, pod: 'p', headers: xff() })) }));
    try {
      await probePaths([{ mode: 'ip', url: srv.url }], { requests: 12, concurrency: 2 });
      expect(srv.connections()).toBe(12);
      await probePaths([{ mode: 'ip', url: srv.url }], { requests: 12, concurrency: 2, keepAlive: true });
      expect(srv.connections() - 12).toBeLessThanOrEqual(2);
    } finally {
      await srv.close();
    }
  });

  test('later failures are counted, not fatal', async () => {
    const srv = await server((n) => (n === 3 ? { status: 502, body: 'bad gateway' } : { body: renderEchoResponse(echo({ node: NODE_A, pod: 'p', headers: xff() })) }));
    try {
      const report = await probePaths([{ mode: 'ip', url: srv.url, expected: chartPath('ip') }], { requests: 6, concurrency: 1 });
      expect(report.modes[0].measured).toMatchObject({ answered: 5, failures: { 'HTTP 502': 1 } });
      expect(report.modes[0].checks[0]).toMatchObject({ name: 'requests answered', agree: false, measured: '5 (HTTP 502 ×1)' });
    } finally {
      await srv.close();
    }
  });
});

describe('a target that cannot be measured', () => {
  test('an unreachable port', async () => {
    const srv = await server(() => ({ body: '' }));
    const url = srv.url;
    await srv.close();
    const run = probePaths([{ mode: 'ip', url }], { requests: 3 });
    await expect(run).rejects.toThrow(ProbeError);
    await expect(probePaths([{ mode: 'ip', url }], { requests: 3 })).rejects.toThrow(/^ip: http:\/\/127\.0\.0\.1:\d+\/ is unreachable \(ECONNREFUSED\)\.$/);
  });

  test.each([
    ['an HTML page', { body: '<html><body>It works</body></html>' }, /did not answer like the echo server \(not an echoserver response: its first line is '<html>/],
    ['an HTTP error', { status: 503, body: 'Service Unavailable' }, /did not answer like the echo server \(HTTP 503\)/],
  ])('%s', async (_name, answer, message) => {
    const srv = await server(() => answer);
    try {
      await expect(probePaths([{ mode: 'instance', url: srv.url }], { requests: 3 })).rejects.toThrow(message);
    } finally {
      await srv.close();
    }
  });
});

describe('peer classification', () => {
  test('EKS node names carry the node address', () => {
    expect(addressFromNodeName('ip-10-0-130-77.ec2.internal')).toBe('10.0.130.77');
    expect(addressFromNodeName('ip-192-168-1-2.us-west-2.compute.internal')).toBe('192.168.1.2');
    expect(addressFromNodeName('node-a')).toBeUndefined();
  });

  test('caller, then nodes, then load balancers, then private → load balancer, public → client', () => {
    const c = peerClassifier({
      clientIp: '198.51.100.23', nodeAddresses: { 'node-b': '172.31.0.9' }, nodeCidrs: ['10.9.0.0/16'],
      loadBalancerAddresses: ['10.0.0.5'], loadBalancerCidrs: ['10.1.0.0/24'],
    }, [echo({ node: NODE_A, pod: 'p' })]);
    expect(c.classify('198.51.100.23')).toBe('client');
    expect(c.classify('::ffff:10.0.130.77')).toBe('node');
    expect(c.classify('172.31.0.9')).toBe('node');
    expect(c.classify('10.9.3.4')).toBe('node');
    expect(c.classify('10.0.0.5')).toBe('load-balancer');
    expect(c.classify('10.1.0.200')).toBe('load-balancer');
    expect(c.classify('10.200.0.1')).toBe('load-balancer');
    expect(c.classify('203.0.113.50')).toBe('client');
    expect(c.classify('not-an-address')).toBe('unknown');
    expect(c.nodeNameOf('10.0.130.77')).toBe(NODE_A);
  });

  test('IPv6 peers: blocks of either family, unique local as private, an IPv6 VPC\'s global block given as the load balancers\'', () => {
    const c = peerClassifier({
      clientIp: '2001:db8:ff::7', nodeAddresses: { 'node-a': '2600:1f18:aa00:1202::10' }, nodeCidrs: ['2600:1f18:aa00:1203::/64', '10.9.0.0/16'],
      loadBalancerCidrs: ['2600:1f18:aa00:1200::/56'],
    });
    expect(c.classify('2001:db8:ff:0:0:0:0:7')).toBe('client');
    expect(c.classify('2600:1f18:aa00:1202::10')).toBe('node');
    expect(c.classify('2600:1f18:aa00:1203:8a4f::3')).toBe('node');
    expect(c.classify('2600:1f18:aa00:1201:1c3e:5d0b:22f1:9a04')).toBe('load-balancer');
    expect(c.classify('fd00:ec2::23')).toBe('load-balancer');
    expect(c.classify('2600:1f18:aa00:1300::1')).toBe('client');
    // A block of one family never holds an address of the other.
    expect(peerClassifier({ loadBalancerCidrs: ['::/0'] }).classify('198.51.100.9')).toBe('client');
    expect(peerClassifier({ nodeCidrs: ['0.0.0.0/0'] }).classify('2001:db8::1')).toBe('client');
    expect(c.nodeNameOf('2600:1f18:aa00:1202::10')).toBe('node-a');
  });

  test('IPv6 blocks parse with zero host bits only, in every textual form', () => {
    expect(parseIpv6Cidr('2600:1f18:aa00:1200::/56')).toEqual({ address: 0x26001f18aa001200n << 64n, prefix: 56 });
    expect(parseIpv6Cidr('::ffff:10.0.0.0/104')?.address).toBe((0xffffn << 32n) | 0x0a000000n);
    expect(parseIpv6Cidr('::/0')).toEqual({ address: 0n, prefix: 0 });
    expect([parseIpv6Cidr('2600:1f18:aa00:1201::/56'), parseIpv6Cidr('2600::/129'), parseIpv6Cidr('10.0.0.0/8'), parseIpv6Cidr('2600::1')])
      .toEqual([undefined, undefined, undefined, undefined]);
  });

  test('cross-node: the entry node (peer after SNAT) against the serving pod\'s node', () => {
    const c = peerClassifier({ nodeAddresses: { a: '192.0.2.1', b: '192.0.2.2' } });
    const samples = [
      { latencyMs: 1, echo: echo({ node: 'a', pod: 'p1', clientAddress: '192.0.2.1' }) },
      { latencyMs: 1, echo: echo({ node: 'b', pod: 'p2', clientAddress: '192.0.2.1' }) },
      { latencyMs: 1, echo: echo({ node: 'b', pod: 'p2', clientAddress: '10.0.0.5' }) },
    ];
    expect(measure(samples, c).crossNode).toEqual({ observed: 2, crossed: 1 });
  });
});

describe('comparison details', () => {
  const answered = (over: object) => ({
    requests: 4, answered: 4, failures: {}, pods: {}, nodes: {}, peers: {},
    peerClasses: { 'load-balancer': 0, 'node': 0, 'client': 0, 'unknown': 0 }, xForwardedFor: 0,
    crossNode: { observed: 0, crossed: 0 }, latencyMs: { p50: 1, p90: 1, p99: 1 }, ...over,
  });

  test('NLB ip with preservation: the client is the TCP source and there is no X-Forwarded-For', () => {
    const nlb: ExpectedPath = { ...chartPath('ip'), loadBalancer: 'NLB', podPeer: 'client', clientIp: 'tcp-source', xForwardedFor: false };
    const checks = comparePath(nlb, answered({ peerClasses: { 'load-balancer': 0, 'node': 0, 'client': 4, 'unknown': 0 } }));
    expect(checks.every((c) => c.agree)).toBe(true);
    expect(checks.find((c) => c.name === "client's address")?.measured)
      .toBe("TCP source is the client in 4/4 (caller's address unknown; pass --client-ip to compare it)");
  });

  test('NLB ip with preservation and a known caller: the TCP peer must be the caller\'s own address', () => {
    const nlb: ExpectedPath = { ...chartPath('ip'), loadBalancer: 'NLB', podPeer: 'client', clientIp: 'tcp-source', xForwardedFor: false };
    const report = analyse([{
      target: { mode: 'nlb-ip-preserve', url: 'http://x/', expected: nlb },
      samples: [
        { latencyMs: 1, echo: echo({ node: NODE_A, pod: 'p', clientAddress: CALLER }) },
        { latencyMs: 1, echo: echo({ node: NODE_A, pod: 'p', clientAddress: '192.0.2.200' }) },
      ],
    }], { clientIp: CALLER });
    expect(report.modes[0].measured.peerIsClient).toBe(1);
    expect(report.modes[0].checks.find((c) => c.name === "client's address")).toEqual({
      name: "client's address", expected: `as the TCP source (${CALLER})`, measured: 'TCP source is that address in 1/2', agree: false,
    });
  });

  test('a PROXY protocol header is reported as not visible, not as a disagreement', () => {
    const pp: ExpectedPath = { ...chartPath('ip'), loadBalancer: 'NLB', clientIp: 'proxy-protocol', xForwardedFor: false };
    const check = comparePath(pp, answered({ peerClasses: { 'load-balancer': 4, 'node': 0, 'client': 0, 'unknown': 0 } }))
      .find((c) => c.name === "client's address");
    expect(check).toMatchObject({ agree: true, measured: expect.stringMatching(/not visible to the echo server/) });
  });

  test('a given client address is checked against the last X-Forwarded-For entry', () => {
    const report = analyse([{
      target: { mode: 'ip', url: 'http://x/', expected: chartPath('ip') },
      samples: [{ latencyMs: 2, echo: echo({ node: NODE_A, pod: 'p', headers: xff('192.0.2.99') }) }],
    }], { clientIp: CALLER });
    expect(report.clientIp).toEqual({ address: CALLER, source: 'given' });
    expect(report.modes[0].checks.find((c) => c.name === "client's address")).toMatchObject({ agree: false, measured: 'last entry in 0/1' });
  });

  test('percentiles by nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(values, 50), percentile(values, 90), percentile(values, 99)]).toEqual([50, 90, 99]);
    expect(percentile([], 50)).toBe(0);
    expect(percentile([7.25], 99)).toBe(7.3);
  });
});
