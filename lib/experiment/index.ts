// The experiment toolkit: the path model, echo parsing, the probe and the emulation. It reads what the
// constructs build; no construct imports it.
export * from './path-model';
export * from './echo-response';
export * from './probe/measure';
export * from './probe/report';
export * from './probe/stack-outputs';
export * from './probe/zones';
export * from './policy';
export * from './addresses';
export * from './disruption/types';
export * from './disruption/summarize';
export * from './disruption/report';
export * from './disruption/load';
export * from './disruption/model';
