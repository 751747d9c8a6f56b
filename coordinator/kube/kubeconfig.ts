/** Loads a KubeConfig: from a file when given, else in-cluster (the coordinator) or the user's default (the CLI). */
import { existsSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { ConfigError, describeError } from '../../shared/errors.js';

/** Where client-node reads the in-cluster ServiceAccount token. */
const IN_CLUSTER_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/**
 * Why the loaded configuration cannot reach any cluster, if so. client-node does not fail by itself: outside
 * a pod its in-cluster config points at `https://undefined:undefined`, and with no kubeconfig at all its
 * default is `http://localhost:8080`; both would be retried forever.
 */
export function missingClusterConfig(kc: KubeConfig, fallback: 'in-cluster' | 'default'): string | undefined {
  const server = kc.getCurrentCluster()?.server ?? '';
  if (fallback === 'in-cluster') {
    if (server.includes('undefined')) return 'not running in a pod (KUBERNETES_SERVICE_HOST is unset) and no --kubeconfig given';
    if (!existsSync(IN_CLUSTER_TOKEN)) return `not running in a pod (no ${IN_CLUSTER_TOKEN}) and no --kubeconfig given`;
    return undefined;
  }
  if (kc.getCurrentCluster() === null || (kc.currentContext === 'loaded-context' && server === 'http://localhost:8080')) {
    return 'no kubeconfig found: pass --kubeconfig, set KUBECONFIG, or create ~/.kube/config';
  }
  return undefined;
}

export function loadKubeConfig(path: string | undefined, fallback: 'in-cluster' | 'default'): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (path) kc.loadFromFile(path);
    else if (fallback === 'in-cluster') kc.loadFromCluster();
    else kc.loadFromDefault();
  } catch (e) {
    throw new ConfigError(`cannot load kubeconfig ${path ?? `(${fallback})`}: ${describeError(e)}`, ['kubeconfig']);
  }
  const missing = path ? (kc.getCurrentCluster() ? undefined : `kubeconfig ${path} has no current cluster`) : missingClusterConfig(kc, fallback);
  if (missing) throw new ConfigError(`no cluster configuration: ${missing}`, ['kubeconfig']);
  return kc;
}
