import { FAILURE_KINDS } from '../../../../lib/experiment/disruption/types';

test('failure kinds are listed once each, HTTP answers before transport failures', () => {
  expect(new Set(FAILURE_KINDS).size).toBe(FAILURE_KINDS.length);
  expect(FAILURE_KINDS.findIndex((k) => !k.startsWith('http-'))).toBe(FAILURE_KINDS.filter((k) => k.startsWith('http-')).length);
});
