/** The observability stack: the component the platform instantiates, and the pure renderers it uses. */
export * from "./observability-stack";
export * from "./prometheus-config";
export * from "./blackbox-config";
export * from "./footprint";
