/**
 * The simulated cluster's public entry points: start a whole cluster (embedded, or kubelets against an
 * existing API server), seed any cluster, and the types the demo and tests use.
 */
export { startSimCluster, type SimCluster, type SimFaults } from './cluster/sim-cluster.js';
export type { SimClusterOptions } from './cluster/sim-options.js';
export { seedCluster, type SeedOptions } from './cluster/seed/index.js';
export type { NodeFaults, NodeFaultsInput } from './cluster/faults.js';
export type { EvictionBlock } from './cluster/pdb-faults.js';
export type { NodeNetwork, Cni } from './cluster/network-model.js';
export { NODE_PREFIX_LABEL, SIMULATED_NODE_LABEL, simulatedNodeSelector } from './cluster/node-objects.js';
