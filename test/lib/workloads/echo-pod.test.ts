import { ECHO_IMAGE, isImageReference } from '../../../lib/workloads/echo-pod';

describe('image references, as the container runtime parses them', () => {
  test.each([
    ECHO_IMAGE, 'nginx', 'library/nginx:1.27', 'localhost:5000/echo', '[::1]:5000/echo:dev',
    '111122223333.dkr.ecr.eu-west-1.amazonaws.com/mirror/echoserver:2.5', 'a.b/c__d/e-f--g:T_1.x',
    `${ECHO_IMAGE}@sha256:${'a'.repeat(64)}`, `registry.k8s.io/echo@sha256:${'0'.repeat(64)}`, '10.0.0.0/33',
  ])('%s is one', (image) => {
    expect(isImageReference(image)).toBe(true);
  });

  test.each([
    '-1', '=', '__proto__', 'echo/Upper', 'ünïcödé', 'echo:', 'echo:-tag', `echo:${'t'.repeat(129)}`, 'x'.repeat(256),
    'echo@sha256:short', 'echo@', 'a//b', 'a/', '/a', 'echo:2.5 ', ' echo',
  ])('%s is not', (image) => {
    expect(isImageReference(image)).toBe(false);
  });
});
