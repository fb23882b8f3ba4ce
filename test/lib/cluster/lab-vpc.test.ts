import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Template } from 'aws-cdk-lib/assertions';
import { LabVpc } from '../../../lib';
import { newApp, newStack } from '../../fixtures';

describe('LabVpc', () => {
  test('tags public subnets for internet-facing and private subnets for internal load balancers', () => {
    const stack = newStack();
    new LabVpc(stack, 'Vpc', { clusterName: 'lab' });
    const template = Template.fromStack(stack);

    template.resourceCountIs('AWS::EC2::Subnet', 4);
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
    template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.0.0.0/16' });
    const subnets = template.findResources('AWS::EC2::Subnet');
    const tagsOf = (r: { [key: string]: any }): Record<string, string> =>
      Object.fromEntries(r.Properties.Tags.map((t: { Key: string; Value: string }) => [t.Key, t.Value]));
    const publics = Object.values(subnets).map(tagsOf).filter((t) => t['aws-cdk:subnet-type'] === 'Public');
    const privates = Object.values(subnets).map(tagsOf).filter((t) => t['aws-cdk:subnet-type'] === 'Private');
    expect(publics).toHaveLength(2);
    expect(privates).toHaveLength(2);
    for (const tags of publics) {
      expect(tags).toMatchObject({ 'kubernetes.io/role/elb': '1', 'kubernetes.io/cluster/lab': 'shared' });
      expect(tags).not.toHaveProperty('kubernetes.io/role/internal-elb');
    }
    for (const tags of privates) {
      expect(tags).toMatchObject({ 'kubernetes.io/role/internal-elb': '1', 'kubernetes.io/cluster/lab': 'shared' });
      expect(tags).not.toHaveProperty('kubernetes.io/role/elb');
    }
  });

  test('three zones in a region-only stack come from Fn::GetAZs instead of being capped at two', () => {
    const stack = newStack('eu-west-1');
    new LabVpc(stack, 'Vpc', { clusterName: 'lab', azCount: 3, natGateways: 3, cidr: '10.20.0.0/16' });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EC2::Subnet', 6);
    template.resourceCountIs('AWS::EC2::NatGateway', 3);
    template.hasResourceProperties('AWS::EC2::Subnet', {
      AvailabilityZone: { 'Fn::Select': [2, { 'Fn::GetAZs': '' }] },
    });
    template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.20.0.0/16' });
  });

  describe('with zones known from context lookups', () => {
    const zonesStack = () => {
      const app = newApp({
        'availability-zones:account=123456789012:region=eu-west-1': ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
      });
      return new Stack(app, 'Test', { env: { account: '123456789012', region: 'eu-west-1' } });
    };

    test('uses the named zones', () => {
      const stack = zonesStack();
      new LabVpc(stack, 'Vpc', { clusterName: 'lab' });
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::EC2::Subnet', { AvailabilityZone: 'eu-west-1b' });
      template.resourceCountIs('AWS::EC2::Subnet', 4);
    });

    test('refuses more zones than the region offers', () => {
      expect(() => new LabVpc(zonesStack(), 'Vpc', { clusterName: 'lab', azCount: 4, natGateways: 1 }))
        .toThrow(/'azCount' is 4 but region eu-west-1 offers 3 zones to this account; got 4\. Use at most 3\./);
    });
  });

  test.each([
    [{ azCount: 1 }, /'azCount' must be a whole number between 2 and 16; got 1\. EKS requires subnets in at least two availability zones/],
    [{ natGateways: 0 }, /'natGateways' must be a whole number between 1 and 2; got 0\. Nodes in private subnets need a NAT gateway/],
    [{ natGateways: 3 }, /'natGateways' must be a whole number between 1 and 2; got 3\./],
    [{ cidr: '10.0.0.0/33' }, /'cidr' must be an IPv4 CIDR block with zero host bits.*got '10\.0\.0\.0\/33'/],
    [{ cidr: '10.0.0.1/16' }, /'cidr' must be an IPv4 CIDR block with zero host bits.*got '10\.0\.0\.1\/16'/],
    [{ cidr: '10.0.0.0/26' }, /'cidr' must have a prefix length between \/16 and \/24; got '10\.0\.0\.0\/26'/],
    [{ clusterName: '-lab' }, /'clusterName' must be an EKS cluster name.*got '-lab'/],
  ])('rejects %j', (override, message) => {
    const stack = newStack();
    expect(() => new LabVpc(stack, 'Vpc', { clusterName: 'lab', ...override })).toThrow(message);
  });

  test('errors name the construct path', () => {
    const stack = newStack();
    expect(() => new LabVpc(stack, 'Vpc', { clusterName: 'lab', azCount: 1 })).toThrow(/^Test\/Vpc: /);
  });
});

describe('LabVpc, dual-stack', () => {
  test('an Amazon-provided IPv6 block, a /64 on every subnet assigned on launch, IPv6 routes to the IGW and an egress-only IGW', () => {
    const stack = newStack();
    const labVpc = new LabVpc(stack, 'Vpc', { clusterName: 'lab', ipProtocol: ec2.IpProtocol.DUAL_STACK });
    const template = Template.fromStack(stack);
    template.resourcePropertiesCountIs('AWS::EC2::VPCCidrBlock', { AmazonProvidedIpv6CidrBlock: true }, 1);
    const subnets = Object.values(template.findResources('AWS::EC2::Subnet'));
    expect(subnets).toHaveLength(4);
    for (const subnet of subnets) {
      expect(subnet.Properties).toMatchObject({ AssignIpv6AddressOnCreation: true, Ipv6CidrBlock: { 'Fn::Select': [expect.any(Number), { 'Fn::Cidr': [expect.anything(), 4, '64'] }] } });
    }
    template.resourceCountIs('AWS::EC2::EgressOnlyInternetGateway', 1);
    const v6Routes = Object.entries(template.findResources('AWS::EC2::Route')).filter(([, r]) => r.Properties.DestinationIpv6CidrBlock === '::/0');
    expect(v6Routes.map(([id, r]) => [/Public/.test(id), Object.keys(r.Properties).find((k) => k.endsWith('GatewayId'))]).sort()).toEqual([
      [false, 'EgressOnlyInternetGatewayId'], [false, 'EgressOnlyInternetGatewayId'], [true, 'GatewayId'], [true, 'GatewayId'],
    ]);
    expect(labVpc.dualStack).toBe(true);
  });

  test('IPv4 only by default: no IPv6 block, no egress-only gateway', () => {
    const stack = newStack();
    expect(new LabVpc(stack, 'Vpc', { clusterName: 'lab' }).dualStack).toBe(false);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EC2::VPCCidrBlock', 0);
    template.resourceCountIs('AWS::EC2::EgressOnlyInternetGateway', 0);
  });
});
