import { EchoResponse } from '../../../../lib/experiment/echo-response';
import {
  INTER_ZONE_PRICE_PER_GB, LabSubnet, ZoneClassifier, billedHops, hopText, measureZones, requestBytes, zoneCost, zoneOf,
} from '../../../../lib/experiment/probe/zones';

const SUBNETS: LabSubnet[] = [
  { zone: 'us-east-1a', cidr: '10.0.0.0/18', kind: 'public' },
  { zone: 'us-east-1b', cidr: '10.0.64.0/18', kind: 'public' },
  { zone: 'us-east-1a', cidr: '10.0.128.0/18', kind: 'private' },
  { zone: 'us-east-1b', cidr: '10.0.192.0/18', kind: 'private' },
];
const NODES: Record<string, string> = { 'ip-10-0-130-7.ec2.internal': '10.0.130.7', 'ip-10-0-200-9.ec2.internal': '10.0.200.9' };
const LB = { a: '10.0.10.5', b: '10.0.70.5' };

const classifier: ZoneClassifier = {
  classify: (a) => (Object.values(NODES).includes(a) ? 'node' : a.startsWith('10.') ? 'load-balancer' : 'client'),
  nodeAddressOf: (name) => NODES[name],
};

function echo(node: string, peer: string, podIp = '10.0.140.1'): EchoResponse {
  return {
    hostname: 'echo', pod: { nodeName: node, podName: 'echo', podNamespace: 'ns', podIp }, serverVersion: '', clientAddress: peer,
    method: 'GET', realPath: '/', query: '', requestVersion: '1.1', requestScheme: 'http', requestUri: 'http://lb/',
    headers: [{ name: 'host', value: 'lb' }],
  };
}
const [A, B] = Object.keys(NODES);

describe('zoneOf', () => {
  test('the zone of the subnet that holds the address; the narrowest wins; none outside or for IPv6', () => {
    expect(zoneOf('10.0.10.5', SUBNETS)).toBe('us-east-1a');
    expect(zoneOf('::ffff:10.0.200.9', SUBNETS)).toBe('us-east-1b');
    expect(zoneOf('10.0.10.5', [...SUBNETS, { zone: 'us-east-1c', cidr: '10.0.10.0/24' }])).toBe('us-east-1c');
    expect(zoneOf('198.51.100.7', SUBNETS)).toBeUndefined();
    expect(zoneOf('2001:db8::1', SUBNETS)).toBeUndefined();
  });
});

describe('requestBytes', () => {
  test('the request line, each header line, the blank line and the body, in bytes', () => {
    // 'GET / HTTP/1.1\r\n' (16) + 'host: lb\r\n' (10) + '\r\n' (2)
    expect(requestBytes(echo(A, LB.a))).toBe(28);
    expect(requestBytes({ ...echo(A, LB.a), method: 'POST', body: 'é' })).toBe(31);
  });
});

describe('measureZones', () => {
  test('ip targets: the load balancer interface the pod saw is the caller-facing zone; the pod is the target', () => {
    const z = measureZones([
      { echo: echo(A, LB.a), responseBytes: 700 }, { echo: echo(B, LB.a), responseBytes: 900 },
      { echo: echo(B, LB.b), responseBytes: 800 }, { echo: echo(A, '198.51.100.7') },
    ], classifier, SUBNETS, 'ip');
    expect(z).toEqual({
      podZones: { 'us-east-1a': 2, 'us-east-1b': 2 }, callerZone: { observed: 3, sameZone: 2 },
      loadBalancerToTarget: { observed: 3, crossed: 1 }, bytes: { request: requestBytes(echo(A, LB.a)), response: 800 },
    });
  });

  test('instance + Cluster: the SNAT peer is the entry node; the load balancer zone is unknown unless a stand-in says', () => {
    const samples = [{ echo: echo(A, NODES[A]) }, { echo: echo(B, NODES[A]) }, { echo: echo(A, NODES[B]) }, { echo: echo(B, NODES[B]) }];
    const z = measureZones(samples, classifier, SUBNETS, 'instance');
    expect(z.nodeToPod).toEqual({ observed: 4, crossed: 2 });
    expect(z.loadBalancerToTarget).toEqual({ observed: 0, crossed: 0 });
    expect(z.callerZone.observed).toBe(0);
    const via = measureZones(samples.map((s, i) => ({ ...s, via: { loadBalancer: i % 2 === 0 ? LB.a : LB.b, target: s.echo.clientAddress } })),
      classifier, SUBNETS, 'instance');
    expect(via.loadBalancerToTarget).toEqual({ observed: 4, crossed: 2 });
    expect(via.callerZone).toEqual({ observed: 4, sameZone: 4 });
  });

  test('instance + Local behind a stand-in: the target node is the entry node; no pod in another zone', () => {
    const z = measureZones([
      { echo: echo(A, LB.b), via: { loadBalancer: LB.b, target: NODES[A] } }, { echo: echo(B, LB.b), via: { loadBalancer: LB.b, target: NODES[B] } },
    ], classifier, SUBNETS, 'instance');
    expect(z.nodeToPod).toEqual({ observed: 2, crossed: 0 });
    expect(z.loadBalancerToTarget).toEqual({ observed: 2, crossed: 1 });
  });

  test('a pod whose node address is unknown is placed by its own IP; one in no subnet is left out', () => {
    const z = measureZones([{ echo: echo('fargate-1', LB.a, '10.0.200.33') }, { echo: echo('elsewhere', LB.a, '192.0.2.1') }],
      classifier, SUBNETS, 'ip');
    expect(z.podZones).toEqual({ 'us-east-1b': 1 });
  });
});

describe('the cost per million requests', () => {
  const zones = (nodeToPod?: { observed: number; crossed: number }, lb = { observed: 0, crossed: 0 }) => ({
    podZones: {}, callerZone: { observed: 0, sameZone: 0 }, loadBalancerToTarget: lb, ...(nodeToPod ? { nodeToPod } : {}),
    bytes: { request: 200, response: 800 },
  });

  test('the share that crossed, times the bytes, billed leaving one zone and entering the other', () => {
    // Half of a million 1,000-byte exchanges: 0.5 GB, at $0.01 each way.
    expect(zoneCost(zones({ observed: 10, crossed: 5 }), 'ALB')).toEqual({
      perMillionRequests: 0.01, gbPerMillionRequests: 0.5, pricePerGb: INTER_ZONE_PRICE_PER_GB, complete: true,
    });
    expect(zoneCost(zones({ observed: 10, crossed: 5 }), 'ALB', 0.02).perMillionRequests).toBe(0.02);
  });

  test('an ALB\'s own cross-zone traffic is free, an NLB\'s is billed; an unobserved billed hop makes it a lower bound', () => {
    expect(billedHops('ALB')).toEqual(['node-to-pod']);
    expect(billedHops('NLB')).toEqual(['load-balancer-to-target', 'node-to-pod']);
    expect(zoneCost(zones(undefined, { observed: 10, crossed: 10 }), 'ALB')).toMatchObject({ perMillionRequests: 0, complete: true });
    expect(zoneCost(zones(undefined, { observed: 10, crossed: 10 }), 'NLB')).toMatchObject({ gbPerMillionRequests: 1, complete: true });
    expect(zoneCost(zones({ observed: 0, crossed: 0 }), 'ALB').complete).toBe(false);
    expect(zoneCost(zones(undefined), 'NLB').complete).toBe(false);
  });

  test('hop text', () => {
    expect([hopText({ observed: 4, crossed: 1 }), hopText({ observed: 0, crossed: 0 }), hopText(undefined), hopText(undefined, 'no node hop')])
      .toEqual(['1/4', 'not observable', 'no such hop', 'no node hop']);
  });
});
