// Address blocks as the probe's peer classification and flags read them.
export { parseIpv4Cidr, type Ipv4Cidr } from '../private/validate';
