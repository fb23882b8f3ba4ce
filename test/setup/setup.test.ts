import * as http from 'http';
import * as net from 'net';
import { AddressInfo } from 'net';
import { isLoopback, takeRefused } from './loopback-only';
import { takeUnexpected } from './quiet-console';

describe('loopback only', () => {
  test('loopback names and addresses pass; any other address does not', () => {
    expect(['localhost', '127.0.0.1', '127.3.2.1', '::1', '[::1]', '::ffff:127.0.0.1', undefined].map(isLoopback)).toEqual(Array(7).fill(true));
    expect(['192.0.2.1', '10.0.0.1', 'example.com', '::ffff:10.0.0.1', '2001:db8::1'].map(isLoopback)).toEqual(Array(5).fill(false));
  });

  test('a socket to another address fails with an error naming it, and is remembered for the test', async () => {
    const error = await new Promise<Error>((resolve) => net.connect(80, '192.0.2.1').on('error', resolve));
    expect(error.message).toBe('connection to 192.0.2.1 refused: tests stay on loopback');
    // Through http the request fails as its socket closes; the refusal is what counts.
    await new Promise<Error>((resolve) => http.get('http://198.51.100.7:8080/').on('error', resolve));
    expect(takeRefused()).toEqual(['192.0.2.1', '198.51.100.7']);
  });

  test('a server on loopback is reached as usual', async () => {
    const server = http.createServer((_req, res) => res.end('ok')).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    const body = await new Promise<string>((resolve, reject) => http.get(`http://127.0.0.1:${port}/`, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c) => { text += c; }).on('end', () => resolve(text));
    }).on('error', reject));
    server.close();
    expect(body).toBe('ok');
    expect(takeRefused()).toEqual([]);
  });
});

describe('quiet console', () => {
  test('what a test writes is kept for the check after it, except aws-cdk-lib\'s validation report', () => {
    console.error('WARNING something (Annotation)\n\nA copy of this report can be found in: /tmp/x/validation-report.json');
    console.log('hello', { a: 1 });
    expect(takeUnexpected()).toEqual(['console.log: hello { a: 1 }']);
  });
});
