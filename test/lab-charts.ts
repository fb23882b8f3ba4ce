import { IngressWorkloadChartProps, NlbWorkloadChartProps } from '../lib';
import { PathSettings, PathStack, TgbWorkloadSettings, pathChart, stackPaths } from '../lab-stacks/catalogue';

/** The chart props the lab's `stack` applies with `settings`, through the catalogue as the app maps them. */
function stackChart(stack: PathStack, settings: PathSettings) {
  return pathChart(stackPaths(stack, settings)[0], settings);
}

/** The two ALB halves' Ingress chart props. */
export function albProps(settings: PathSettings): { ip: IngressWorkloadChartProps; instance: IngressWorkloadChartProps } {
  const props = (stack: PathStack) => {
    const c = stackChart(stack, settings);
    if (c.kind !== 'ingress') throw new Error(`${stack} has no Ingress chart`);
    return c.props;
  };
  return { ip: props('IpModeLab'), instance: props('InstanceModeLab') };
}

/** The two NLB paths' chart props. */
export function nlbProps(settings: PathSettings): { ip: NlbWorkloadChartProps; instance: NlbWorkloadChartProps } {
  const props = (stack: PathStack) => {
    const c = stackChart(stack, settings);
    if (c.kind !== 'nlb') throw new Error(`${stack} has no NLB chart`);
    return c.props;
  };
  return { ip: props('NlbIpModeLab'), instance: props('NlbInstanceModeLab') };
}

/** TgbLab's workload props. */
export function tgbProps(settings: PathSettings): TgbWorkloadSettings {
  const c = stackChart('TgbLab', settings);
  if (c.kind !== 'tgb') throw new Error('TgbLab has no TargetGroupBinding chart');
  return c.props;
}
