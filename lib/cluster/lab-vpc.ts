import { Fn, Stack, Tags, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { LabValidationError } from '../errors';
import { acknowledgeNag } from '../private/nag';
import { requireClusterName } from '../private/names';
import { requireInteger, requireIpv4Cidr } from '../private/validate';

/** Properties of a {@link LabVpc}. */
export interface LabVpcProps {
  /** Name of the EKS cluster that will use this VPC; its subnets are tagged `kubernetes.io/cluster/<name>=shared`. */
  readonly clusterName: string;

  /**
   * IPv4 CIDR block of the VPC. With the VPC CNI every pod takes an address from it, so keep it roomy.
   * @default '10.0.0.0/16'
   */
  readonly cidr?: string;

  /**
   * Number of availability zones. EKS needs subnets in at least two.
   * @default 2
   */
  readonly azCount?: number;

  /**
   * Number of NAT gateways for the private subnets, from 1 (cheapest) to `azCount` (one per zone).
   * @default 1
   */
  readonly natGateways?: number;

  /**
   * `ec2.IpProtocol.DUAL_STACK` adds an Amazon-provided IPv6 block, an IPv6 /64 on every subnet with addresses
   * assigned on launch (which nodes of an IPv6 EKS cluster require), IPv6 default routes to the internet gateway
   * (public) and to an egress-only internet gateway (private). An IPv6 `LabCluster` needs it.
   * @default ec2.IpProtocol.IPV4_ONLY
   */
  readonly ipProtocol?: ec2.IpProtocol;
}

/**
 * A VPC laid out for the AWS Load Balancer Controller: public and private subnets in each zone, NAT for the
 * private ones, and the subnet tags the controller's subnet discovery reads.
 */
export class LabVpc extends Construct {
  /** The VPC. */
  public readonly vpc: ec2.Vpc;

  /** Name of the cluster the subnets are tagged for. */
  public readonly clusterName: string;

  /** The VPC's IPv4 CIDR block. */
  public readonly cidr: string;

  /** Whether the VPC and its subnets have IPv6 blocks too. */
  public readonly dualStack: boolean;

  constructor(scope: Construct, id: string, props: LabVpcProps) {
    super(scope, id);
    const cidr = props.cidr ?? '10.0.0.0/16';
    const azCount = props.azCount ?? 2;
    const natGateways = props.natGateways ?? 1;

    requireClusterName(this, 'clusterName', props.clusterName);
    requireIpv4Cidr(this, 'cidr', cidr, 16, 24);
    requireInteger(this, 'azCount', azCount, 2, 16,
      'EKS requires subnets in at least two availability zones; use 2 or 3.');
    // The VPC is split evenly into a public and a private subnet per zone; EC2 takes subnets down to /28.
    const prefix = Number(cidr.split('/')[1]);
    const subnetPrefix = prefix + Math.ceil(Math.log2(2 * azCount));
    if (!Token.isUnresolved(cidr) && Number.isInteger(azCount) && subnetPrefix > 28) {
      throw new LabValidationError(this, 'azCount', `${azCount} splits the VPC's ${cidr} into ${2 * azCount} subnets of ` +
        `/${subnetPrefix}, smaller than the /28 EC2 allows; got ${azCount}. Use fewer zones, or a larger 'cidr' such as '10.0.0.0/16'.`);
    }
    requireInteger(this, 'natGateways', natGateways, 1, azCount,
      `Nodes in private subnets need a NAT gateway to pull images; use 1 (cheapest) up to ${azCount} (one per zone).`);

    const ipProtocol = props.ipProtocol ?? ec2.IpProtocol.IPV4_ONLY;
    if (!Object.values(ec2.IpProtocol).includes(ipProtocol)) {
      throw new LabValidationError(this, 'ipProtocol', `must be ec2.IpProtocol.IPV4_ONLY or ec2.IpProtocol.DUAL_STACK; ` +
        `got '${ipProtocol}'. Use ec2.IpProtocol.DUAL_STACK for an IPv6 cluster.`);
    }
    this.clusterName = props.clusterName;
    this.cidr = cidr;
    this.dualStack = ipProtocol === ec2.IpProtocol.DUAL_STACK;
    this.vpc = new ec2.Vpc(this, 'Resource', {
      ipAddresses: ec2.IpAddresses.cidr(cidr),
      ...this.zones(azCount),
      natGateways,
      ...(this.dualStack ? { ipProtocol, ipv6Addresses: ec2.Ipv6Addresses.amazonProvided() } : {}),
      subnetConfiguration: [
        { name: 'Public', subnetType: ec2.SubnetType.PUBLIC },
        { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      ],
    });

    acknowledgeNag(this.vpc, ['VPC7'], 'Flow logs are off: the lab VPC carries test traffic for a few hours and logs would ' +
      'add CloudWatch cost. Add them with vpc.addFlowLog() when the traffic needs an audit trail.');

    const clusterTag = `kubernetes.io/cluster/${props.clusterName}`;
    for (const subnet of this.vpc.publicSubnets) {
      Tags.of(subnet).add('kubernetes.io/role/elb', '1');
      Tags.of(subnet).add(clusterTag, 'shared');
    }
    for (const subnet of this.vpc.privateSubnets) {
      Tags.of(subnet).add('kubernetes.io/role/internal-elb', '1');
      Tags.of(subnet).add(clusterTag, 'shared');
    }
  }

  /**
   * Zones for the VPC. A stack without a concrete account knows only two zone tokens, so more zones are
   * selected from `Fn::GetAZs` at deploy time rather than silently capped at two.
   */
  private zones(azCount: number): Pick<ec2.VpcProps, 'maxAzs' | 'availabilityZones'> {
    const known = Stack.of(this).availabilityZones;
    if (known.some((az) => Token.isUnresolved(az))) {
      return { availabilityZones: Array.from({ length: azCount }, (_, i) => Fn.select(i, Fn.getAzs())) };
    }
    if (known.length < azCount) {
      throw new LabValidationError(this, 'azCount', `is ${azCount} but region ${Stack.of(this).region} offers ` +
        `${known.length} zones to this account; got ${azCount}. Use at most ${known.length}.`);
    }
    return { maxAzs: azCount };
  }
}
