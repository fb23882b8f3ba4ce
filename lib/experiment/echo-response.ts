import { UserError } from '../errors';
/**
 * The response body of the lab's echo server (`registry.k8s.io/e2e-test-images/echoserver:2.5`): an nginx
 * template that prints the pod's identity (from the NODE_NAME, POD_NAME, POD_NAMESPACE and POD_IP variables the
 * chart sets), the TCP peer nginx saw (`client_address`), the request line and the request headers.
 *
 * `parseEchoResponse` reads it; `renderEchoResponse` writes it, byte for byte as the image does, so that a stand-in
 * echo server answers in the same format.
 */

/** What the Downward API variables told the pod about itself; absent when POD_NAME is not set. */
export interface EchoPodInfo {
  /** `spec.nodeName` of the pod. */
  readonly nodeName: string;
  /** `metadata.name` of the pod. */
  readonly podName: string;
  /** `metadata.namespace` of the pod. */
  readonly podNamespace: string;
  /** `status.podIP` of the pod. */
  readonly podIp: string;
}

/** One echo response, field by field. */
export interface EchoResponse {
  /** The container's host name (the pod name on Kubernetes). */
  readonly hostname: string;
  /** Pod information, when the chart passed it in. */
  readonly pod?: EchoPodInfo;
  /** The `server_version` line, e.g. `nginx: 1.14.2 - lua: 10015`. */
  readonly serverVersion: string;
  /** The TCP peer of the connection the request came on: nginx's `remote_addr`. */
  readonly clientAddress: string;
  /** Request method. */
  readonly method: string;
  /** Path and query as requested (nginx's `request_uri`). */
  readonly realPath: string;
  /** Query string, empty when none. */
  readonly query: string;
  /** HTTP version, e.g. `1.1`. */
  readonly requestVersion: string;
  /** `http` or `https`. */
  readonly requestScheme: string;
  /** Scheme, Host header, the server's own port and the path, e.g. `http://example.com:8080/`. */
  readonly requestUri: string;
  /**
   * Request headers as the server received them: lower-case names, sorted by name; a header sent more than once
   * appears once per value.
   */
  readonly headers: readonly EchoHeader[];
  /** Request body; undefined when the request had none. */
  readonly body?: string;
}

/** One request header line. */
export interface EchoHeader {
  readonly name: string;
  readonly value: string;
}

/** A response that is not in the echo server's format. */
export class EchoFormatError extends UserError {}

const NO_POD_INFO = '-no pod information available-';
const NO_BODY = '-no body in request-';

/**
 * The values of a request header, in order; empty when absent. Names are matched case-insensitively.
 */
export function echoHeaderValues(response: EchoResponse, name: string): string[] {
  const key = name.toLowerCase();
  return response.headers.filter((h) => h.name === key).map((h) => h.value);
}

/**
 * The addresses in the request's `X-Forwarded-For` header(s), left to right (client first, the last proxy's
 * peer last); empty when the header is absent.
 */
export function forwardedFor(response: EchoResponse): string[] {
  return echoHeaderValues(response, 'x-forwarded-for')
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

/**
 * Writes a response exactly as the echoserver template prints it: two leading blank lines, tab-indented fields,
 * two trailing spaces after each single-valued header, none after a repeated header's lines, and every value
 * HTML-escaped (`&`, `<`, `>`, `"`, `'`) as the template's `{{ }}` tags do.
 */
export function renderEchoResponse(response: EchoResponse): string {
  const r = escapeAll(response);
  return renderEscaped(r);
}

function renderEscaped(response: EchoResponse): string {
  const lines: string[] = ['', '', `Hostname: ${response.hostname}`, '', 'Pod Information:'];
  if (response.pod) {
    lines.push(
      `\tnode name:\t${response.pod.nodeName}`,
      `\tpod name:\t${response.pod.podName}`,
      `\tpod namespace:\t${response.pod.podNamespace}`,
      `\tpod IP:\t${response.pod.podIp}`,
    );
  } else {
    lines.push(`\t${NO_POD_INFO}`);
  }
  lines.push('', 'Server values:', `\tserver_version=${response.serverVersion}`, '',
    'Request Information:',
    `\tclient_address=${response.clientAddress}`,
    `\tmethod=${response.method}`,
    `\treal path=${response.realPath}`,
    `\tquery=${response.query}`,
    `\trequest_version=${response.requestVersion}`,
    `\trequest_scheme=${response.requestScheme}`,
    `\trequest_uri=${response.requestUri}`,
    '', 'Request Headers:');
  const counts = new Map<string, number>();
  for (const h of response.headers) counts.set(h.name, (counts.get(h.name) ?? 0) + 1);
  for (const h of [...response.headers].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    lines.push(counts.get(h.name)! > 1 ? `\t${h.name}=${h.value}` : `\t${h.name}=${h.value}  `);
  }
  // The body is printed raw, with no indentation; the template's last newline and nginx's ngx.say add two.
  lines.push('', 'Request Body:', response.body ?? `\t${NO_BODY}`, '', '');
  return lines.join('\n');
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const UNENTITIES: Record<string, string> = Object.fromEntries(Object.entries(ENTITIES).map(([k, v]) => [v, k]));

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

function unescape(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39);/g, (e) => UNENTITIES[e]);
}

function escapeAll(r: EchoResponse): EchoResponse {
  return {
    hostname: escape(r.hostname),
    pod: r.pod && {
      nodeName: escape(r.pod.nodeName), podName: escape(r.pod.podName),
      podNamespace: escape(r.pod.podNamespace), podIp: escape(r.pod.podIp),
    },
    serverVersion: escape(r.serverVersion),
    clientAddress: escape(r.clientAddress),
    method: escape(r.method),
    realPath: escape(r.realPath),
    query: escape(r.query),
    requestVersion: escape(r.requestVersion),
    requestScheme: escape(r.requestScheme),
    requestUri: escape(r.requestUri),
    headers: r.headers.map((h) => ({ name: escape(h.name), value: escape(h.value) })),
    body: r.body === undefined ? undefined : escape(r.body),
  };
}

type Section = 'start' | 'pod' | 'server' | 'request' | 'headers' | 'body';

const HEADINGS: Record<string, Section> = {
  'Pod Information:': 'pod',
  'Server values:': 'server',
  'Request Information:': 'request',
  'Request Headers:': 'headers',
  'Request Body:': 'body',
};

/**
 * Reads an echo response. Lenient about whitespace (copies of the output often turn tabs into spaces); strict about
 * structure: without a `Hostname:` line and a `client_address` in `Request Information:` it throws
 * {@link EchoFormatError}.
 */
export function parseEchoResponse(text: string): EchoResponse {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  let section: Section = 'start';
  let hostname: string | undefined;
  const pod: Record<string, string> = Object.create(null);
  const request: Record<string, string> = Object.create(null);
  const server: Record<string, string> = Object.create(null);
  const headers: EchoHeader[] = [];
  const bodyLines: string[] = [];

  for (const raw of lines) {
    const line = raw.trim();
    if (section !== 'body' && HEADINGS[line]) {
      section = HEADINGS[line];
      continue;
    }
    if (section === 'body') {
      bodyLines.push(raw);
      continue;
    }
    if (line === '') continue;
    if (section === 'start') {
      const m = /^Hostname:\s*(.*)$/.exec(line);
      if (m) hostname = m[1];
      else throw notEcho(`its first line is '${clip(line)}', not 'Hostname: ...'`);
      continue;
    }
    if (section === 'pod') {
      if (line === NO_POD_INFO) continue;
      const m = /^([a-zA-Z ]+):\s*(.*)$/.exec(line);
      if (m) pod[m[1]] = m[2];
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0) throw notEcho(`the line '${clip(line)}' under '${section}' has no '='`);
    const [key, value] = [line.slice(0, eq), line.slice(eq + 1)];
    if (section === 'server') server[key] = value;
    else if (section === 'request') request[key] = value;
    else headers.push({ name: key.toLowerCase(), value });
  }

  if (hostname === undefined) throw notEcho('it has no \'Hostname:\' line');
  if (request.client_address === undefined) throw notEcho('it has no client_address under \'Request Information:\'');
  const bodyText = trimBody(bodyLines);
  const u = unescape;
  return {
    hostname: u(hostname),
    pod: pod['pod name'] === undefined ? undefined : {
      nodeName: u(pod['node name'] ?? 'N/A'),
      podName: u(pod['pod name']),
      podNamespace: u(pod['pod namespace'] ?? 'N/A'),
      podIp: u(pod['pod IP'] ?? 'N/A'),
    },
    serverVersion: u(server.server_version ?? ''),
    clientAddress: u(request.client_address),
    method: u(request.method ?? ''),
    realPath: u(request['real path'] ?? ''),
    query: u(request.query ?? ''),
    requestVersion: u(request.request_version ?? ''),
    requestScheme: u(request.request_scheme ?? ''),
    requestUri: u(request.request_uri ?? ''),
    headers: headers.map((h) => ({ name: u(h.name), value: u(h.value) })),
    body: bodyText === undefined || bodyText.trim() === NO_BODY ? undefined : u(bodyText),
  };
}

function trimBody(lines: readonly string[]): string | undefined {
  const copy = [...lines];
  while (copy.length > 0 && copy[copy.length - 1] === '') copy.pop();
  return copy.length === 0 ? undefined : copy.join('\n');
}

function notEcho(why: string): EchoFormatError {
  return new EchoFormatError(`not an echoserver response: ${why}`);
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
