/** The ALB rows: each target type, and instance mode with either traffic policy. */
export const ALB_MODES = ['ip', 'instance', 'instance-local'] as const;
/** The NLB rows: ip with client IP preservation off (its default) and on, instance with either traffic policy. */
export const NLB_MODES = ['nlb-ip', 'nlb-ip-preserve', 'nlb-instance', 'nlb-instance-local'] as const;
export const LOCAL_MODES = [...ALB_MODES, ...NLB_MODES] as const;
export type LocalMode = typeof LOCAL_MODES[number];
