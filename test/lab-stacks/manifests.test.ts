import * as fs from 'fs';
import * as path from 'path';
import { MANIFESTS_DIR, renderManifests } from '../../lab-stacks/manifests';

describe('manifests/', () => {
  const rendered = renderManifests();

  test('holds exactly the generated files', () => {
    expect(fs.readdirSync(MANIFESTS_DIR).sort()).toEqual(Object.keys(rendered).sort());
  });

  test.each(Object.keys(renderManifests()))('%s is current (run `npm run manifests` after changing the charts)', (file) => {
    expect(fs.readFileSync(path.join(MANIFESTS_DIR, file), 'utf8')).toBe(rendered[file]);
  });

  test('the kubectl files carry no CDK prune labels or tokens', () => {
    for (const text of Object.values(rendered)) {
      expect(text).not.toMatch(/aws\.cdk\.eks\/prune|\$\{Token\[/);
    }
    expect(rendered['instance-mode.yaml']).toMatch(/nodePort: 30080/);
    expect(rendered['ip-mode.yaml']).toMatch(/alb.ingress.kubernetes.io\/target-type: ip/);
    expect(rendered['aws-load-balancer-controller-values.yaml']).toMatch(/tag: v3\.5\.0/);
    expect(rendered['nlb-ip-mode.yaml']).toMatch(/loadBalancerClass: service\.k8s\.aws\/nlb/);
    expect(rendered['nlb-ip-mode.yaml']).toMatch(/aws-load-balancer-nlb-target-type: ip/);
    expect(rendered['nlb-instance-mode.yaml']).toMatch(/aws-load-balancer-nlb-target-type: instance/);
    expect(rendered['gateway-alb.yaml']).toMatch(/controllerName: gateway\.k8s\.aws\/alb/);
    expect(rendered['gateway-alb.yaml']).toMatch(/^# Needs the Gateway API v1\.6\.1 standard-channel CRDs/m);
    expect(rendered['gateway-nlb.yaml']).toMatch(/kind: TCPRoute/);
  });

  test('no TargetGroupBinding: its target groups exist only in AWS (`eks-lb-lab manifests tgb` writes that file)', () => {
    for (const text of Object.values(rendered)) expect(text).not.toMatch(/kind: TargetGroupBinding/);
  });
});
