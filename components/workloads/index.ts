/** Hardened workload building blocks: pure pod/controller renderers and the component that uses them. */
export * from "./hardened-pod";
export * from "./hardened-workload";
