import * as http from 'http';
import { AddressInfo } from 'net';
import { AlbListener, AlbTarget, NLB_HEALTH_CHECK_DEFAULTS, settleTargetHealth } from '../../../../lib/experiment/local/alb';

const fast = { path: '/healthz', intervalMs: 40, timeoutMs: 30, healthyThreshold: 2, unhealthyThreshold: 2 };
const open: Array<{ close: () => unknown }> = [];

/** A target answering with its name and the headers it got; `healthStatus` for the health-check path. */
async function target(name: string, healthStatus = 200): Promise<AlbTarget> {
  const server = http.createServer((req, res) => {
    if (req.url === '/healthz') return void res.writeHead(healthStatus).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ name, headers: req.headers }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  open.push({ close: () => { server.closeAllConnections(); server.close(); } });
  return { name, address: '127.0.0.1', port: (server.address() as AddressInfo).port };
}

async function listener(targets: AlbTarget[]): Promise<AlbListener> {
  const alb = new AlbListener({ name: 't', listenAddress: '127.0.0.1', listenPort: 0, targets, healthCheck: fast });
  await alb.start();
  await alb.settled();
  open.push(alb);
  return alb;
}

function get(alb: AlbListener, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: alb.port, path: '/', headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c) => { text += c; }).on('end', () => resolve({ status: res.statusCode!, body: text.startsWith('{') ? JSON.parse(text) : text }));
    }).on('error', reject);
  });
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

describe('AlbListener', () => {
  test('appends the caller to X-Forwarded-For, sets X-Forwarded-Proto and -Port, keeps Host', async () => {
    const alb = await listener([await target('a')]);
    const { body } = await get(alb, { 'x-forwarded-for': '203.0.113.9', 'host': 'lab.example' });
    expect(body.headers['x-forwarded-for']).toBe('203.0.113.9, 127.0.0.1');
    expect(body.headers['x-forwarded-proto']).toBe('http');
    expect(body.headers['x-forwarded-port']).toBe(String(alb.port));
    expect(body.headers.host).toBe('lab.example');
    expect(body.headers['x-amzn-trace-id']).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
  });

  test('routes round robin over healthy targets', async () => {
    const alb = await listener([await target('a'), await target('b')]);
    const names = [];
    for (let i = 0; i < 4; i++) names.push((await get(alb)).body.name);
    expect(names.sort()).toEqual(['a', 'a', 'b', 'b']);
  });

  test('takes a target that fails its health check out of rotation, with the reason', async () => {
    const alb = await listener([await target('a'), await target('sick', 500)]);
    expect(alb.targetHealth().map((t) => [t.name, t.state, t.reason])).toEqual([
      ['a', 'healthy', undefined], ['sick', 'unhealthy', 'Target.ResponseCodeMismatch'],
    ]);
    for (let i = 0; i < 3; i++) expect((await get(alb)).body.name).toBe('a');
  });

  test('a target that refuses connections is unhealthy; with none healthy the listener fails open', async () => {
    const refusing = await target('gone');
    open.pop()!.close();
    const sick = await target('sick', 503);
    const alb = await listener([refusing, sick]);
    expect(alb.targetHealth().map((t) => t.reason)).toEqual(['Target.FailedHealthChecks', 'Target.ResponseCodeMismatch']);
    const answers = await Promise.all([get(alb), get(alb)]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 502]);
  });
});

describe('AlbListener registration and draining', () => {
  test('a registered target takes traffic only once healthy; a deregistered one at once takes none, and leaves after the delay', async () => {
    const [a, b] = [await target('a'), await target('b')];
    const alb = await listener([a]);
    alb.register([b]);
    expect(alb.targetHealth().map((t) => [t.name, t.state])).toEqual([['a', 'healthy'], ['b', 'initial']]);
    expect(new Set(await Promise.all([1, 2, 3, 4].map(async () => (await get(alb)).body.name)))).toEqual(new Set(['a']));
    await alb.settled();
    await new Promise((r) => setTimeout(r, 120));
    expect(alb.targetHealth().map((t) => t.state)).toEqual(['healthy', 'healthy']);
    alb.deregister([a], 100);
    expect(alb.targetHealth().map((t) => [t.name, t.state])).toEqual([['a', 'draining'], ['b', 'healthy']]);
    expect(new Set(await Promise.all([1, 2, 3, 4].map(async () => (await get(alb)).body.name)))).toEqual(new Set(['b']));
    await new Promise((r) => setTimeout(r, 150));
    expect(alb.targetHealth().map((t) => t.name)).toEqual(['b']);
  });

  test('with only initial or draining targets there is nothing to fail open to: 503', async () => {
    const a = await target('a');
    const alb = await listener([a]);
    alb.deregister([a], 1000);
    alb.register([await target('b', 500)]);
    expect((await get(alb)).status).toBe(503);
  });
});

describe('AlbListener in zones', () => {
  // Two nodes, sending from two loopback addresses standing in for their interfaces in zones a and b.
  async function zonal(crossZone: boolean, targets: AlbTarget[]): Promise<AlbListener> {
    const alb = new AlbListener({
      name: 'z', listenAddress: '127.0.0.1', listenPort: 0, targets, healthCheck: fast, crossZone,
      nodes: [{ zone: 'a', sourceAddress: '127.0.0.11' }, { zone: 'b', sourceAddress: '127.0.0.12' }],
    });
    await alb.start();
    await alb.settled();
    open.push(alb);
    return alb;
  }
  const zoneOf: Record<string, string> = { '127.0.0.11': 'a', '127.0.0.12': 'b' };

  test('each request leaves by its node\'s interface and is logged under the trace id the target sees', async () => {
    const alb = await zonal(true, [{ ...await target('in-a'), zone: 'a' }, { ...await target('in-b'), zone: 'b' }]);
    const seen = [];
    for (let i = 0; i < 20; i++) seen.push((await get(alb)).body);
    const log = alb.forwarded();
    expect(log).toHaveLength(20);
    expect(log.map((f) => f.traceId)).toEqual(seen.map((b) => b.headers['x-amzn-trace-id']));
    expect(new Set(log.map((f) => f.loadBalancer)).size).toBeGreaterThan(0);
    expect(log.every((f) => f.loadBalancer in zoneOf && f.target === '127.0.0.1')).toBe(true);
    // Cross-zone on: each node alternates over both targets, so about half of each node's requests go to the other zone
    // (each node starts with the first target: one more for it when a node took an odd number of connections).
    expect([10, 11]).toContain(seen.filter((b) => b.name === 'in-a').length);
  });

  test('cross-zone load balancing off: a node sends only to its zone; a zone without a healthy target takes no connections', async () => {
    const alb = await zonal(false, [{ ...await target('in-a'), zone: 'a' }, { ...await target('in-b'), zone: 'b' }]);
    const pairs = [];
    for (let i = 0; i < 20; i++) {
      const { body } = await get(alb);
      pairs.push([zoneOf[alb.forwarded().at(-1)!.loadBalancer], body.name]);
    }
    expect(pairs.every(([zone, name]) => name === `in-${zone}`)).toBe(true);
    const onlyA = await zonal(false, [{ ...await target('in-a'), zone: 'a' }, { ...await target('sick-b', 500), zone: 'b' }]);
    for (let i = 0; i < 10; i++) expect((await get(onlyA)).body.name).toBe('in-a');
    expect(new Set(onlyA.forwarded().map((f) => zoneOf[f.loadBalancer]))).toEqual(new Set(['a']));
  });
});

describe('the NLB stand-in\'s health checks', () => {
  const noWait = () => Promise.resolve();
  const sequence = (...passes: boolean[]) => {
    let i = 0;
    return () => Promise.resolve(passes[i++] ? { pass: true } : { pass: false, reason: 'Target.Timeout' });
  };

  test('the controller\'s defaults: TCP 3 healthy / 3 unhealthy; HTTP to the health-check node port of a Local Service 2 / 2', () => {
    expect(NLB_HEALTH_CHECK_DEFAULTS.tcp).toMatchObject({ healthyThreshold: 3, unhealthyThreshold: 3 });
    expect(NLB_HEALTH_CHECK_DEFAULTS.instanceLocal).toMatchObject({ healthyThreshold: 2, unhealthyThreshold: 2 });
  });

  test('two failures do not make a TCP target unhealthy; the third in a row does', async () => {
    expect(await settleTargetHealth(sequence(false, false, true, true, true), NLB_HEALTH_CHECK_DEFAULTS.tcp, noWait))
      .toEqual({ state: 'healthy', checks: 5 });
    expect(await settleTargetHealth(sequence(false, false, false), NLB_HEALTH_CHECK_DEFAULTS.tcp, noWait))
      .toEqual({ state: 'unhealthy', checks: 3, reason: 'Target.Timeout' });
  });

  test('one pass is not healthy yet: passes must follow each other', async () => {
    expect(await settleTargetHealth(sequence(true, false, true, true), NLB_HEALTH_CHECK_DEFAULTS.instanceLocal, noWait))
      .toEqual({ state: 'healthy', checks: 4 });
  });
});
