/**
 * Code paths the demo's runs do not take, called directly under the tool's ServiceAccounts on a seeded
 * simulated API server that holds deploy/'s RBAC, so their calls are recorded too: the agent finding the
 * coordinator through its Service's Endpoints (when the leader Lease carries no address), the agent reading a
 * check pod again (a redelivered order after a restart), the coordinator replacing the backup ConfigMaps
 * an earlier attempt wrote, and the gate reading the pod of a reviewed token that its pod watch has not shown
 * yet (an agent calling right as the coordinator starts).
 */
import { kubeAddressSources } from '../../../agent/kube/coordinator-address.js';
import { kubeCheckPods } from '../../../agent/kube/check-pod-api.js';
import { calicoBackupApi } from '../../../coordinator/kube/calico-backup.js';
import { kubeAuthApi } from '../../../coordinator/kube/token-review.js';
import { coordinatorConfigSpec } from '../../../shared/config.js';
import { silentLogger } from '../../../shared/logger.js';
import { startApiServer, type ApiCallRecord } from '../../../sim/apiserver/index.js';
import { seedCluster } from '../../../sim/cluster/seed/index.js';
import { readDeployManifests } from '../../../sim/demo/deploy-manifests.js';
import { DEPLOY_DIR } from './manifests.js';

const NS = 'cni-migrate';

export async function callsOutsideTheDemo(): Promise<ApiCallRecord[]> {
  const api = await startApiServer();
  try {
    api.applyManifests(await readDeployManifests(DEPLOY_DIR));
    await seedCluster(api.kubeConfig(), { withoutDemoWorkloads: true });
    const as = (serviceAccount: string) => api.kubeConfig({ token: api.issueServiceAccountToken({ namespace: NS, serviceAccount }) });
    const agent = as(coordinatorConfigSpec.agentServiceAccount.schema.parse(undefined));
    // No coordinator runs here: the Endpoints are absent (404), which the agent takes as "not yet".
    const sources = kubeAddressSources(agent, NS, 'cni-migrate-coordinator', silentLogger());
    await sources.serviceEndpoint().catch(() => undefined);
    sources.stop?.();
    await kubeCheckPods(agent, NS).waitForTermination('cni-migrate-check-redelivered', 10_000);
    const backup = calicoBackupApi(as('cni-migrate-coordinator'), NS);
    await backup.store();
    await backup.store();
    await kubeAuthApi(as('cni-migrate-coordinator')).readPodPlacement(NS, 'cni-migrate-agent-not-watched-yet');
    return api.apiCalls();
  } finally {
    await api.close();
  }
}
