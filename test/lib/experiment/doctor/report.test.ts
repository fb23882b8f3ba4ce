import { DoctorFacts } from '../../../../lib/experiment/doctor/facts';
import { doctorReport, findingLine, renderDoctorJson, renderDoctorText } from '../../../../lib/experiment/doctor/report';

const BARE: DoctorFacts = { now: '2026-11-02T09:20:00.000Z', namespace: 'lbc', ingressClasses: [], ingresses: [], services: [], events: [], unchecked: [] };

describe('doctor report', () => {
  test('no controller: the header says so, the finding is the one line, the result counts it', () => {
    const text = renderDoctorText(doctorReport(BARE, 'prod'));
    expect(text.split('\n')).toEqual([
      'Context prod: no controller in lbc.',
      'Looked at 0 Ingresses, 0 LoadBalancer Services of the controller.',
      expect.stringMatching(/^\[controller\] namespace lbc: no AWS Load Balancer Controller Deployment .+\. Fix: .+\.$/),
      'Result: 1 problem.',
      '',
    ]);
  });

  test('nothing wrong but checks not made: incomplete, each reason on its own line', () => {
    const facts: DoctorFacts = {
      ...BARE,
      clusterName: 'lab',
      controller: {
        namespace: 'lbc', name: 'lbc', labels: {}, image: 'registry.example/aws-load-balancer-controller:v3.5.0', args: [],
        serviceAccountName: 'lbc', replicas: 1, readyReplicas: 1,
      },
      identity: { via: 'pod-identity', roleArn: 'arn:aws:iam::111122223333:role/lbc' },
      gatewayClasses: [], gateways: [],
      unchecked: [{ check: 'policy', reason: 'cannot read it' }, { check: 'subnets', reason: 'cannot read them' }],
    };
    const report = doctorReport(facts, 'prod');
    expect([report.result, report.looked]).toEqual(['incomplete', { ingresses: 0, loadBalancerServices: 0, gateways: 0 }]);
    expect(renderDoctorText(report).split('\n')).toEqual([
      'Context prod, cluster lab: controller v3.5.0 in lbc, 1/1 ready, role arn:aws:iam::111122223333:role/lbc (EKS Pod Identity).',
      'Looked at 0 Ingresses, 0 LoadBalancer Services of the controller, 0 Gateways.',
      'Not checked (policy): cannot read it.',
      'Not checked (subnets): cannot read them.',
      'Result: no problem found, but 2 checks could not be made.',
      '',
    ]);
    expect(JSON.parse(renderDoctorJson(report))).toEqual(JSON.parse(JSON.stringify(report)));
  });

  test('a finding is one line: check, subject, problem, fix', () => {
    expect(findingLine({ check: 'webhook', subject: 'webhook Service a/b', problem: 'is down', fix: 'start it' }))
      .toBe('[webhook] webhook Service a/b: is down. Fix: start it.');
  });
});
