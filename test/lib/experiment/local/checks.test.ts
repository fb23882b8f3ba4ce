import { hopsText, routedHops } from '../../../../lib/experiment/local/checks';
import { RowObservation } from '../../../../lib/experiment/local/emulation';

const observation = (synsByTtl: Record<number, number>[]): RowObservation => ({
  mode: 'instance', url: 'http://203.0.113.11/', loadBalancer: { publicAddress: '203.0.113.11', vpcAddress: '10.0.0.61' },
  targetHealth: [], initialTtl: 64,
  podTtl: synsByTtl.map((s, i) => ({ pod: `echo-${i}`, node: `node-${i}`, address: `10.0.0.${100 + i}`, synsByTtl: s })),
});

describe('routedHops', () => {
  test('the sender\'s TTL minus the arriving TTL, summed over pods', () => {
    const hops = routedHops(observation([{ 63: 4, 62: 2 }, { 62: 3 }]));
    expect(hops).toEqual({ 1: 4, 2: 5 });
    expect(hopsText(hops)).toBe('1 hop ×4, 2 hops ×5');
    expect(hopsText(routedHops(observation([{}])))).toBe('no connections seen');
  });
});
