import { afterEach, describe, expect, it } from '@jest/globals';
import { NodeAnnotation } from '../../../shared/names.js';
import { Harness, testConfig, workers } from './harness.js';

const annotation = (h: Harness, node: string, key: string): string | undefined =>
  h.cluster.node(node).metadata?.annotations?.[key];

const slotHolders = (h: Harness): string[] =>
  [...h.cluster.leases.values()].filter((l) => l.name.startsWith('cni-migrate-slot-') && l.holder).map((l) => l.holder ?? '');

describe('engine: halt, retry, rollback', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('when a PDB blocks the drain past its deadline, then the node is restored, released, and the rollout halts naming the PDB', async () => {
    h = new Harness(workers(2), testConfig({ drainTimeoutSeconds: '1' }));
    h.cluster.blockedEvictions.add('web-w1');
    h.cluster.pdbs = [
      { metadata: { name: 'web-pdb', namespace: 'app' }, spec: { selector: { matchLabels: { app: 'web' } }, minAvailable: 1 } },
    ];
    await h.startEngine();
    h.startAgents();
    await h.waitFor(() => h!.cluster.phaseOf('w1') === 'Halted', 60_000, 'w1 Halted');
    await h.waitFor(() => h!.cluster.node('w1').spec?.unschedulable === false && slotHolders(h!).length === 0, 60_000, 'restored');
    await h.waitFor(() => h!.cluster.migrationStatus()['phase'] === 'Halted', 60_000, 'status Halted');
    const reason = annotation(h, 'w1', NodeAnnotation.haltReason) ?? '';
    expect(reason).toContain('PodDisruptionBudget app/web-pdb');
    expect(reason).toContain('app/web-w1');
    expect(String(h.cluster.migrationStatus()['haltReason'])).toContain('app/web-pdb');
    expect(h.cluster.phaseOf('w2')).toBeUndefined();
    expect(h.cluster.events.map((e) => ({ node: e.node, reason: e.reason, warning: e.warning }))).toContainEqual({ node: 'w1', reason: 'CNIMigrationHalted', warning: true });

    h.cluster.blockedEvictions.clear();
    h.cluster.patchNode('w1', { annotations: { [NodeAnnotation.request]: 'retry' } });
    await h.waitFor(() => h!.allIn('Done'), 60_000, 'all Done after retry');
    expect(annotation(h, 'w1', NodeAnnotation.attempt)).toBe('2');
    expect(annotation(h, 'w1', NodeAnnotation.request)).toBeUndefined();
  });

  it('when a pod has no controller, then the drain refuses at once and the node halts', async () => {
    h = new Harness(workers(1));
    h.cluster.addPod({ name: 'bare', node: 'w1', ip: '10.244.9.9', owner: 'none' });
    const bare = h.cluster.pods.items.get('app/bare');
    if (bare?.metadata) bare.metadata.ownerReferences = [];
    await h.startEngine();
    h.startAgents();
    await h.waitFor(() => h!.cluster.phaseOf('w1') === 'Halted', 60_000, 'w1 Halted');
    expect(annotation(h, 'w1', NodeAnnotation.haltReason)).toContain('app/bare has no controller');
  });

  it('when a node never comes back from its reboot, then it halts there and no other node is touched', async () => {
    h = new Harness(workers(2), testConfig({ rebootTimeoutSeconds: '1' }));
    h.agents.script.hangOnReboot.add('w1');
    await h.startEngine();
    h.startAgents();
    await h.waitFor(() => h!.cluster.phaseOf('w1') === 'Halted', 60_000, 'w1 Halted');
    expect(annotation(h, 'w1', NodeAnnotation.failedPhase)).toBe('Rebooting');
    expect(annotation(h, 'w1', NodeAnnotation.haltReason)).toContain('did not reboot');
    expect(annotation(h, 'w1', NodeAnnotation.haltReason)).toContain('reboot order delivered at');
    expect(annotation(h, 'w1', NodeAnnotation.orderDelivered)).toMatch(/^w1\.1\.Rebooting \d{4}-/);
    expect(annotation(h, 'w1', NodeAnnotation.agentSeen)).toBeDefined();
    expect(h.cluster.node('w1').spec?.unschedulable).toBe(true);
    expect(h.cluster.phaseOf('w2')).toBeUndefined();
    expect(h.cluster.reboots.get('w1')).toBe(1);
    expect(slotHolders(h)).toEqual(['w1']);
  });

  it('when a node reboots but never gets Ready, then it halts still recorded as Rebooting, at the reboot timeout and the wait after it from the Rebooting start', async () => {
    h = new Harness(workers(2), testConfig({ rebootTimeoutSeconds: '1' }));
    h.agents.script.notReadyAfterReboot.add('w1');
    await h.startEngine();
    h.startAgents();
    await h.waitFor(() => h!.cluster.phaseOf('w1') === 'Halted', 60_000, 'w1 Halted');
    expect(annotation(h, 'w1', NodeAnnotation.failedPhase)).toBe('Rebooting');
    expect(annotation(h, 'w1', NodeAnnotation.haltReason)).toMatch(/^after reboot \(new boot id .+\): node not Ready within 2s of the reboot order$/);
    expect(h.cluster.reboots.get('w1')).toBe(1);
    expect(h.cluster.phaseOf('w2')).toBeUndefined();
  });

  it('when the replacement Cilium pod never gets Ready, then the node halts in RestartingCilium', async () => {
    h = new Harness(workers(2), testConfig({ rebootTimeoutSeconds: '1' }));
    h.cluster.ciliumBroken.add('w1');
    await h.startEngine();
    h.startAgents();
    await h.waitFor(() => h!.cluster.phaseOf('w1') === 'Halted', 60_000, 'w1 Halted');
    expect(annotation(h, 'w1', NodeAnnotation.failedPhase)).toBe('RestartingCilium');
    expect(annotation(h, 'w1', NodeAnnotation.haltReason)).toContain('Cilium pod not Ready');
    expect(h.cluster.reboots.get('w1')).toBeUndefined();
    expect(h.cluster.phaseOf('w2')).toBeUndefined();
  });

  it('when the DNS check fails, then the node halts; retried after the fix, it finishes without a second reboot', async () => {
    h = new Harness(workers(2));
    h.agents.script.failDns.add('w1');
    await h.startEngine();
    h.startAgents();
    await h.waitFor(() => h!.cluster.phaseOf('w1') === 'Halted', 60_000, 'w1 Halted');
    expect(annotation(h, 'w1', NodeAnnotation.haltReason)).toContain('dns kubernetes.default.svc.cluster.local: timeout');
    expect(h.cluster.phaseOf('w2')).toBeUndefined();
    h.agents.script.failDns.clear();
    h.cluster.patchNode('w1', { annotations: { [NodeAnnotation.request]: 'retry' } });
    await h.waitFor(() => h!.allIn('Done'), 60_000, 'all Done');
    expect(h.cluster.reboots.get('w1')).toBe(1);
  });

  it('when the DNS check fails with auto-rollback, then the node is rolled back onto Calico and the rollout halts', async () => {
    h = new Harness(workers(2));
    h.cluster.setMigration({ autoRollback: true });
    h.agents.script.failDns.add('w1');
    await h.startEngine();
    h.startAgents();
    await h.waitFor(() => h!.cluster.phaseOf('w1') === 'RolledBack', 60_000, 'w1 RolledBack');
    await h.waitFor(() => h!.cluster.migrationStatus()['phase'] === 'Halted', 60_000, 'status Halted');
    const node = h.cluster.node('w1');
    expect(node.metadata?.labels?.['io.cilium.migration/cilium-default']).toBeUndefined();
    expect(node.spec?.unschedulable).toBe(false);
    expect(h.cluster.reboots.get('w1')).toBe(2);
    const kinds = h.agents.received.filter((o) => o.id.startsWith('w1.')).map((o) => o.kind);
    expect(kinds).toEqual(['reboot', 'validate', 'restore-cni-files', 'reboot', 'validate']);
    const lastValidate = h.agents.received.filter((o) => o.kind === 'validate').at(-1);
    expect(lastValidate).toMatchObject({ expectedCidr: '10.244.0.0/16' });
    expect(h.cluster.phaseOf('w2')).toBeUndefined();
    expect(slotHolders(h)).toEqual([]);
  });

  it('when an operator rolls back a halted node, then it walks the rollback path to RolledBack', async () => {
    h = new Harness(workers(1));
    h.agents.script.failDns.add('w1');
    await h.startEngine();
    h.startAgents();
    await h.waitFor(() => h!.cluster.phaseOf('w1') === 'Halted', 60_000, 'w1 Halted');
    h.cluster.patchNode('w1', { annotations: { [NodeAnnotation.request]: 'rollback' } });
    await h.waitFor(() => h!.cluster.phaseOf('w1') === 'RolledBack', 60_000, 'w1 RolledBack');
    expect(annotation(h, 'w1', NodeAnnotation.haltReason)).toBeUndefined();
    await h.waitFor(() => h!.cluster.migrationStatus()['phase'] === 'Completed', 60_000, 'status Completed');
  });
});
