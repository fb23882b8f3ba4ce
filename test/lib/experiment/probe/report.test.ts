import { App } from 'cdk8s';
import { IngressWorkloadChart } from '../../../../lib';
import { EchoResponse, expectedPaths } from '../../../../lib/experiment';
import { ProbeSample, analyse } from '../../../../lib/experiment/probe/measure';
import { renderReportJson, renderReportMarkdown, renderReportText } from '../../../../lib/experiment/probe/report';

const model = (targetType: 'ip' | 'instance') => expectedPaths(new IngressWorkloadChart(new App(), 'C', { targetType }).toJson())[0];

function sample(peer: string, node = 'ip-10-0-1-5.ec2.internal', pod = 'echo-a'): ProbeSample {
  const echo: EchoResponse = {
    hostname: pod, pod: { nodeName: node, podName: pod, podNamespace: 'ns', podIp: '10.0.1.9' },
    serverVersion: 'nginx: 1.14.2 - lua: 10015', clientAddress: peer, method: 'GET', realPath: '/', query: '',
    requestVersion: '1.1', requestScheme: 'http', requestUri: 'http://x:8080/',
    headers: [{ name: 'x-forwarded-for', value: '203.0.113.7' }],
  };
  return { latencyMs: 3, echo };
}

const report = analyse([
  { target: { mode: 'ip', url: 'http://ip.example/', expected: model('ip') }, samples: [sample('10.0.200.1'), sample('10.0.200.2')] },
  { target: { mode: 'instance', url: 'http://in.example/', expected: model('instance') }, samples: [sample('10.0.1.5'), { latencyMs: 5000, failure: 'timeout' }] },
  { target: { mode: 'other|mode', url: 'http://o.example/' }, samples: [sample('10.0.200.1')] },
], { clientIp: '203.0.113.7' });

describe('the text report', () => {
  const text = renderReportText(report);

  test('one block per mode with the model beside each check', () => {
    expect(text).toMatch(/^caller's address: 203\.0\.113\.7 \(given\)\n/);
    expect(text).toMatch(/^ip — ALB ip {2}http:\/\/ip\.example\/$/m);
    expect(text).toMatch(/^ {2}requests +1\/2 answered$/m);
    expect(text).toMatch(/^ {2}requests answered +2 +1 \(timeout ×1\) +DIFFERS$/m);
    expect(text).toMatch(/^ {2}pod's TCP peer +node +node 1 +agrees$/m);
    expect(text).toMatch(/^ {2}no model for this mode: measured only$/m);
    expect(text.trimEnd().split('\n').at(-1)).toBe('The measurements differ from the model (rows marked DIFFERS).');
  });
});

describe('the markdown report', () => {
  const md = renderReportMarkdown(report);

  test('tables with escaped cells and a mermaid diagram per mode', () => {
    expect(md).toContain('## ip: ALB ip\n');
    expect(md).toContain('| requests answered | 2 | 1 (timeout ×1) | **differs** |');
    expect(md).toContain('## other|mode\n');
    expect(md.match(/```mermaid/g)).toHaveLength(3);
    expect(md).toContain('  node -->|"pod saw: node 1; cross-node 0/1"| pod["pods: echo-a 1"]');
    expect(md).toContain('  client["client"] --> lb["load balancer"]');
  });
});

test('the JSON report: indented, one trailing newline, each mode with its model, measurements, checks and verdict', () => {
  const json = renderReportJson(report);
  expect(json).toMatch(/^\{\n {2}"modes": \[\n/);
  expect(json).toMatch(/\n\}\n$/);
  const parsed = JSON.parse(json);
  expect(Object.keys(parsed)).toEqual(['modes', 'clientIp', 'agree']);
  expect(parsed.clientIp).toEqual({ address: '203.0.113.7', source: 'given' });
  expect(parsed.agree).toBe(false);
  expect(parsed.modes.map((m: Record<string, any>) => [m.mode, m.agree, m.measured.answered, m.measured.failures, m.expected?.targetType]))
    .toEqual([['ip', true, 2, {}, 'ip'], ['instance', false, 1, { timeout: 1 }, 'instance'], ['other|mode', true, 1, {}, undefined]]);
  expect(parsed.modes[1].checks.find((c: { name: string }) => c.name === 'requests answered'))
    .toEqual({ name: 'requests answered', expected: '2', measured: '1 (timeout ×1)', agree: false });
});

describe('zone rows, when the subnets are known', () => {
  const subnets = [{ zone: 'eu-west-1a', cidr: '10.0.0.0/17' }, { zone: 'eu-west-1b', cidr: '10.0.128.0/17' }];
  const zoned = analyse([
    { target: { mode: 'ip', url: 'http://ip.example/', expected: model('ip') }, samples: [sample('10.0.200.1'), sample('10.0.20.2')] },
    { target: { mode: 'instance', url: 'http://in.example/', expected: model('instance') }, samples: [sample('10.0.130.5', 'ip-10-0-1-5.ec2.internal')] },
  ], { clientIp: '203.0.113.7', nodeAddresses: { 'ip-10-0-130-5.ec2.internal': '10.0.130.5' }, subnets });

  test('per mode in the text, and a table of every mode after them', () => {
    const text = renderReportText(zoned);
    expect(text).toMatch(/^ {2}pod zones +eu-west-1a 2$/m);
    expect(text).toMatch(/^ {2}caller's zone +1\/2 served in it, 1 in another zone$/m);
    expect(text).toMatch(/^ {2}zones crossed +may cross: load balancer → target +load balancer → target 1\/2, node → pod no node hop +agrees$/m);
    expect(text).toMatch(/^ {2}instance \(ALB instance, Cluster\) +eu-west-1a 1 +not observable +not observable +1\/1 +48 B \/ 0 B +\$0\.0010$/m);
    expect(renderReportText(report)).not.toContain('Zones:');
  });

  test('a markdown table under its own heading', () => {
    const md = renderReportMarkdown(zoned);
    expect(md).toContain('## Zones\n\n| path | pods by zone | served in the caller\'s zone | load balancer → target crossed | node → pod crossed |');
    expect(md).toMatch(/^\| ip \(ALB ip\) \| eu-west-1a 2 \| 1\/2 \| 1\/2 \| no node hop \| \d+ B \/ 0 B \| \$0\.0000 \|$/m);
  });
});
