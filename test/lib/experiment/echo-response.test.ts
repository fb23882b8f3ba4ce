import * as fs from 'fs';
import * as path from 'path';
import { EchoFormatError, EchoResponse, echoHeaderValues, forwardedFor, parseEchoResponse, renderEchoResponse } from '../../../lib/experiment';
import { ROOT } from '../../paths';

const fixture = (name: string) => fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'echo', name), 'utf8');

const SAMPLE: EchoResponse = {
  hostname: 'echo-6d8f7b9c5d-x2k4q',
  pod: { nodeName: 'ip-10-0-160-23.ec2.internal', podName: 'echo-6d8f7b9c5d-x2k4q', podNamespace: 'ip-mode', podIp: '10.0.171.45' },
  serverVersion: 'nginx: 1.14.2 - lua: 10015',
  clientAddress: '10.0.41.208',
  method: 'GET',
  realPath: '/',
  query: '',
  requestVersion: '1.1',
  requestScheme: 'http',
  requestUri: 'http://lb.example:8080/',
  headers: [{ name: 'host', value: 'lb.example' }, { name: 'x-forwarded-for', value: '198.51.100.23' }],
};

describe('parseEchoResponse on recorded responses', () => {
  test('ALB ip mode: pod, node, pod IP, TCP peer and the forwarded headers', () => {
    const r = parseEchoResponse(fixture('alb-ip-mode.txt'));
    expect(r.hostname).toBe('echo-6d8f7b9c5d-x2k4q');
    expect(r.pod).toEqual({ nodeName: 'ip-10-0-160-23.ec2.internal', podName: 'echo-6d8f7b9c5d-x2k4q', podNamespace: 'ip-mode', podIp: '10.0.171.45' });
    expect(r.clientAddress).toBe('10.0.41.208');
    expect(r.requestUri).toBe('http://k8s-ipmode-echo-4f1c2b9d7e-1234567890.us-east-1.elb.amazonaws.com:8080/');
    expect(forwardedFor(r)).toEqual(['198.51.100.23']);
    expect(echoHeaderValues(r, 'X-Forwarded-Proto')).toEqual(['http']);
    expect(r.headers.map((h) => h.name)).toEqual(['accept', 'host', 'user-agent', 'x-amzn-trace-id', 'x-forwarded-for', 'x-forwarded-port', 'x-forwarded-proto']);
    expect(r.body).toBeUndefined();
  });

  test('ALB instance mode: the TCP peer is a node, not the pod\'s own', () => {
    const r = parseEchoResponse(fixture('alb-instance-cluster.txt'));
    expect(r.clientAddress).toBe('10.0.130.77');
    expect(r.pod?.nodeName).toBe('ip-10-0-160-23.ec2.internal');
    expect(r.pod?.podNamespace).toBe('instance-mode');
  });

  test('repeated headers, a query, an HTML-escaped value and a body', () => {
    const r = parseEchoResponse(fixture('repeated-header-with-body.txt'));
    expect(echoHeaderValues(r, 'x-custom')).toEqual(['a', 'b']);
    expect(echoHeaderValues(r, 'user-agent')).toEqual(['probe "v1"']);
    expect(forwardedFor(r)).toEqual(['192.0.2.9', '198.51.100.23']);
    expect(r).toMatchObject({ realPath: '/echo?x=1', query: 'x=1', body: 'payload' });
  });

  test('a pasted copy with spaces for tabs and no pod information', () => {
    const r = parseEchoResponse(fixture('no-pod-info-spaces.txt'));
    expect(r.pod).toBeUndefined();
    expect(r).toMatchObject({ hostname: 'echo-5b7d9c8f6a-qq7rt', clientAddress: '192.168.49.1', method: 'GET' });
    expect(echoHeaderValues(r, 'host')).toEqual(['192.168.49.2:30080']);
  });
});

describe('renderEchoResponse', () => {
  test('writes the recorded bytes back', () => {
    for (const name of ['alb-ip-mode.txt', 'alb-instance-cluster.txt', 'repeated-header-with-body.txt']) {
      const text = fixture(name);
      expect(renderEchoResponse(parseEchoResponse(text))).toBe(text);
    }
  });

  test('parse(render(x)) is x, with values needing escapes and without pod information', () => {
    const cases: EchoResponse[] = [
      SAMPLE,
      { ...SAMPLE, pod: undefined, body: 'a=1&b=<2>' },
      { ...SAMPLE, headers: [{ name: 'x-a', value: `it's "quoted"` }, { name: 'x-b', value: '1' }, { name: 'x-b', value: '2' }] },
    ];
    for (const c of cases) {
      expect(parseEchoResponse(renderEchoResponse(c))).toEqual({ ...c, body: c.body });
    }
  });

  test('headers come out sorted by name, like the template prints them', () => {
    const text = renderEchoResponse({ ...SAMPLE, headers: [{ name: 'x-z', value: '1' }, { name: 'accept', value: '*/*' }] });
    expect(text.indexOf('\taccept=*/*  \n')).toBeLessThan(text.indexOf('\tx-z=1  \n'));
    expect(text.startsWith('\n\nHostname: ')).toBe(true);
    expect(text.endsWith('Request Body:\n\t-no body in request-\n\n')).toBe(true);
  });
});

describe('non-echo responses', () => {
  test.each([
    ['an HTML error page', fixture('not-echo.html'), /not an echoserver response: its first line is '<html>'/],
    ['an empty body', '', /not an echoserver response: it has no 'Hostname:' line/],
    ['a Hostname line and nothing else', 'Hostname: x\n', /no client_address under 'Request Information:'/],
    ['JSON', '{"hostname":"x"}', /its first line is '\{"hostname":"x"\}'/],
  ])('%s is an EchoFormatError', (_name, text, message) => {
    expect(() => parseEchoResponse(text)).toThrow(EchoFormatError);
    expect(() => parseEchoResponse(text)).toThrow(message);
  });
});
