/**
 * `clusterFactsFrom`: the pure step from the API objects a reader fetched (`RawClusterObjects`) to the typed
 * `ClusterFacts` every later decision reads.
 */
import { CILIUM_DAEMONSET } from '../../../shared/names.js';
import { calicoFacts } from './calico.js';
import { ciliumConfigFacts, nodeConfigFacts } from './cilium.js';
import { currentHelmRelease } from './helm-release.js';
import type { CiliumFacts, ClusterFacts } from './model.js';
import { networkFacts } from './network.js';
import type { RawClusterObjects } from './raw.js';

/** The Helm chart name Cilium is released under. */
export const CILIUM_CHART = 'cilium';

function ciliumFacts(raw: RawClusterObjects): CiliumFacts {
  return {
    config: raw.ciliumConfig ? ciliumConfigFacts(raw.ciliumConfig.data ?? {}) : undefined,
    daemonSetFound: raw.ciliumDaemonSet?.metadata?.name === CILIUM_DAEMONSET,
    operatorFound: raw.ciliumOperator !== undefined,
    helm: raw.helmSecrets === undefined ? 'not-read' : (currentHelmRelease(raw.helmSecrets, CILIUM_CHART) ?? 'absent'),
    nodeConfig: nodeConfigFacts(raw.ciliumNodeConfigCrd, raw.ciliumNodeConfig),
  };
}

export function clusterFactsFrom(raw: RawClusterObjects): ClusterFacts {
  return { calico: calicoFacts(raw), cilium: ciliumFacts(raw), network: networkFacts(raw) };
}

export type * from './model.js';
export type { RawClusterObjects, RawObject, RawCrdVersions } from './raw.js';
export { emptyClusterObjects } from './raw.js';
