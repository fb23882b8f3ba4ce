// Address blocks as the probe's peer classification and flags read them.
export { parseIpv4Cidr, parseIpv6Cidr, type Ipv4Cidr, type Ipv6Cidr } from '../private/validate';
