/** Loads a KubeConfig: from a file when given, else in-cluster (the coordinator) or the user's default (the CLI). */
import { KubeConfig } from '@kubernetes/client-node';
import { ConfigError, describeError } from '../../shared/errors.js';

export function loadKubeConfig(path: string | undefined, fallback: 'in-cluster' | 'default'): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (path) kc.loadFromFile(path);
    else if (fallback === 'in-cluster') kc.loadFromCluster();
    else kc.loadFromDefault();
  } catch (e) {
    throw new ConfigError(`cannot load kubeconfig ${path ?? `(${fallback})`}: ${describeError(e)}`, ['kubeconfig']);
  }
  return kc;
}
