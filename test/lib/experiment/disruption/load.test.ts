import { checkLoadTarget, classifyFailure, classifyStatus, startLoad } from '../../../../lib/experiment/disruption/load';
import { EchoStandIn, startEchoStandIn } from '../../../echo-stand-in';

let echo: EchoStandIn;
beforeEach(async () => { echo = await startEchoStandIn('echo-old'); });
afterEach(() => echo.stop());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('startLoad', () => {
  test('a steady rate for the window, on time while answers wait, each sample naming its pod', async () => {
    const load = startLoad({ url: echo.url, ratePerSecond: 200, windowMs: 300 });
    const samples = await load.done;
    expect(samples.length).toBe(60);
    expect(samples.every((s) => s.ok && s.pod === 'echo-old' && s.status === 200)).toBe(true);
    expect(samples.map((s) => s.startMs)).toEqual(samples.map((_, i) => i * 5));
    expect(echo.served).toBe(60);
  });

  test('a pod that exits mid-window: in-flight requests reset, refused while nothing listens, then the new pod answers', async () => {
    const load = startLoad({ url: echo.url, ratePerSecond: 200, windowMs: 450 });
    await sleep(100);
    await echo.stop();
    await sleep(150);
    await echo.restart('echo-new');
    const samples = await load.done;
    const failed = samples.filter((s) => !s.ok);
    expect(failed.length).toBeGreaterThan(10);
    expect(failed.filter((s) => s.failure === 'refused').length).toBeGreaterThan(10);
    expect(failed.filter((s) => s.failure !== 'refused' && s.failure !== 'reset')).toEqual([]);
    expect(samples[0].pod).toBe('echo-old');
    expect(samples.at(-1)!.pod).toBe('echo-new');
    // The failures fall between the two pods.
    expect(Math.min(...failed.map((s) => s.startMs))).toBeGreaterThan([...samples].reverse().find((s) => s.pod === 'echo-old')!.startMs);
    expect(Math.max(...failed.map((s) => s.startMs))).toBeLessThan(samples.find((s) => s.pod === 'echo-new')!.startMs);
  });

  test('kept-alive connections broken by the server are resets; answers by status; a silent pod times out', async () => {
    echo.behaviour = 'hang-up';
    const hangUp = await startLoad({ url: echo.url, ratePerSecond: 100, windowMs: 100, keepAlive: true }).done;
    expect(new Set(hangUp.map((s) => s.failure))).toEqual(new Set(['reset']));
    const kinds = async (behaviour: EchoStandIn['behaviour']) => {
      echo.behaviour = behaviour;
      const samples = await startLoad({ url: echo.url, ratePerSecond: 100, windowMs: 50, timeoutMs: 100 }).done;
      return [...new Set(samples.map((s) => `${s.failure}:${s.status}`))];
    };
    expect(await kinds('status-502')).toEqual(['http-502:502']);
    expect(await kinds('status-503')).toEqual(['http-503:503']);
    expect(await kinds('not-echo')).toEqual(['http-other:200']);
    expect(await kinds('silent')).toEqual(['timeout:undefined']);
  });

  test('a hold keeps the load on past the window until extendTo ends it', async () => {
    const load = startLoad({ url: echo.url, ratePerSecond: 100, windowMs: 50 });
    load.hold();
    await sleep(150);
    load.extendTo(200);
    const samples = await load.done;
    expect([samples.length, load.windowMs()]).toEqual([20, 200]);
  });

  test('extendTo lengthens the window, never shortens it', async () => {
    const load = startLoad({ url: echo.url, ratePerSecond: 100, windowMs: 100 });
    load.extendTo(200);
    load.extendTo(150);
    expect(load.windowMs()).toBe(200);
    expect((await load.done).length).toBe(20);
  });
});

describe('classification', () => {
  test('statuses and transport errors', () => {
    expect([200, 204, 502, 503, 504, 404, 301].map(classifyStatus)).toEqual([undefined, undefined, 'http-502', 'http-503', 'http-504', 'http-other', 'http-other']);
    const e = (code: string) => Object.assign(new Error(code), { code });
    expect(classifyFailure(e('ECONNREFUSED'), 'connect')).toBe('refused');
    expect(classifyFailure(e('EHOSTUNREACH'), 'connect')).toBe('refused');
    expect(classifyFailure(e('ECONNRESET'), 'exchange')).toBe('reset');
    expect(classifyFailure(new Error('socket hang up'), 'exchange')).toBe('reset');
    expect(classifyFailure(e('ETIMEDOUT'), 'connect')).toBe('timeout');
  });

  test('checkLoadTarget: the pod of an echo answer, else one line naming the URL and what came back', async () => {
    expect(await checkLoadTarget('ip', echo.url)).toBe('echo-old');
    echo.behaviour = 'not-echo';
    await expect(checkLoadTarget('ip', echo.url)).rejects.toThrow(`ip: ${echo.url} does not answer like the echo server (HTTP 200, not an echo body); check the URL`);
    await echo.stop();
    await expect(checkLoadTarget('ip', echo.url)).rejects.toThrow(/\(refused\)/);
  });
});
