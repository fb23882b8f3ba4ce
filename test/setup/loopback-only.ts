/**
 * Tests talk to loopback only (stand-ins they start) or to network namespaces run in child processes. A socket
 * this test process opens to any other address is refused with an error naming it, and fails the test even
 * when the code under test swallows the error.
 */
import * as net from 'net';

let refused: string[] = [];

/** Whether `host` is this machine: a loopback name or address, or no host (which Node resolves to localhost). */
export function isLoopback(host: string | undefined): boolean {
  if (host === undefined || host === '' || host === 'localhost') return true;
  const address = host.replace(/^\[|\]$/g, '').replace(/^::ffff:/i, '');
  return address === '::1' || (net.isIPv4(address) && address.startsWith('127.'));
}

// Each test file loads this setup again in the same worker; wrap Node's own connect once, not a wrapper of it.
const ORIGINAL = Symbol.for('eks-lb-lab.test.connect');
type Connect = (this: net.Socket, ...args: unknown[]) => net.Socket;
const proto = net.Socket.prototype as unknown as Record<symbol, Connect> & { connect: Connect };
const connect: Connect = proto[ORIGINAL] ?? (proto[ORIGINAL] = proto.connect);

proto.connect = function guarded(this: net.Socket, ...args: unknown[]) {
  // net.connect() passes its normalized arguments as one array; socket.connect() takes them spread.
  const [first, second] = Array.isArray(args[0]) ? args[0] : args;
  const options = (typeof first === 'object' && first !== null ? first : { port: first, host: second }) as
    { host?: unknown; path?: unknown };
  const host = typeof options.host === 'string' ? options.host : undefined;
  if (typeof options.path !== 'string' && !isLoopback(host)) {
    refused.push(String(host));
    setImmediate(() => this.destroy(new Error(`connection to ${host} refused: tests stay on loopback`)));
    return this;
  }
  return connect.apply(this, args);
};

/** The addresses refused since the last call, and forget them (for the guard's own test). */
export function takeRefused(): string[] {
  const seen = refused;
  refused = [];
  return seen;
}

afterEach(() => {
  const seen = takeRefused();
  if (seen.length > 0) throw new Error(`the test tried to connect outside loopback: ${[...new Set(seen)].join(', ')}`);
});
