/** The agent's own access to the API: its kubeconfig (a file, else in-cluster) and its pod's uid. */
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { PreconditionError } from '../../shared/errors.js';

export function loadAgentKubeConfig(path: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  if (path !== undefined) kc.loadFromFile(path);
  else kc.loadFromCluster();
  return kc;
}

/** The agent pod's uid, read once from the API (when the downward API does not provide it). */
export async function readPodUid(kc: KubeConfig, namespace: string, name: string): Promise<string> {
  const pod = await kc.makeApiClient(CoreV1Api).readNamespacedPod({ namespace, name });
  const uid = pod.metadata?.uid;
  if (uid === undefined) throw new PreconditionError(`pod ${namespace}/${name} has no uid`);
  return uid;
}
