import { afterEach, describe, expect, it } from '@jest/globals';
import { CILIUM_MIGRATION_LABEL, NodeAnnotation, PHASE_LABEL, slotLeaseName } from '../../../shared/names.js';
import { createLogger } from '../../../shared/logger.js';
import { Harness, testConfig, workers } from './harness.js';
import { waitFor } from '../../support/wait-for.js';

describe('engine: happy path', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('when concurrency is 1, then every worker is migrated once, in name order, one at a time', async () => {
    h = new Harness([...workers(3), { name: 'cp1', controlPlane: true }]);
    h.cluster.setMigration({ concurrency: 1, includeControlPlane: false });
    const order: string[] = [];
    h.cluster.onPhase = (node, phase) => {
      if (phase === 'Draining') order.push(node);
    };
    await h.startEngine();
    h.startAgents();
    await h.waitFor(() => h!.allIn('Done', ['w1', 'w2', 'w3']), 60_000, 'all workers Done');
    const status = h.cluster.migrationStatus();
    await h.waitFor(() => h!.cluster.migrationStatus()['migrated'] === 3, 60_000, 'status migrated=3');
    expect(order).toEqual(['w1', 'w2', 'w3']);
    expect(h.cluster.maxInFlight).toBe(1);
    expect(h.cluster.phaseOf('cp1')).toBeUndefined();
    expect(['w1', 'w2', 'w3'].map((n) => h!.cluster.node(n).metadata?.labels?.[PHASE_LABEL])).toEqual(['Done', 'Done', 'Done']);
    for (const n of ['w1', 'w2', 'w3']) {
      expect(h.cluster.reboots.get(n)).toBe(1);
      expect(h.cluster.doneCount.get(n)).toBe(1);
      const node = h.cluster.node(n);
      expect(node.spec?.unschedulable).toBe(false);
      expect(node.metadata?.labels?.[CILIUM_MIGRATION_LABEL]).toBe('true');
      expect(node.metadata?.annotations?.[NodeAnnotation.wasUnschedulable]).toBe('false');
      expect(h.cluster.pods.items.has(`app/web-${n}`)).toBe(false);
    }
    expect(status).toMatchObject({ total: 3 });
    expect([...h.cluster.leases.values()].filter((l) => l.name.startsWith('cni-migrate-slot-') && l.holder).map((l) => [l.name, l.holder])).toEqual([]);
    // Events on what a person reads: the grant (which starts the cordon) and the end.
    expect(h.cluster.events.filter((e) => e.node === 'w1').map((e) => e.reason)).toEqual(['CNIMigrationCordoning', 'CNIMigrationDone']);
    const validate = h.agents.received.find((o) => o.kind === 'validate' && o.id.startsWith('w2.'));
    expect(validate).toMatchObject({ expectedCidr: '10.245.0.0/16', dnsName: 'kubernetes.default.svc.cluster.local' });
    expect(validate?.kind === 'validate' ? validate.peers.length : 0).toBeGreaterThanOrEqual(2);
    const metrics = await h.engine!.metrics.getSingleMetricAsString('cni_migrate_migrations_completed_total');
    expect(metrics).toContain('cni_migrate_migrations_completed_total 3');
  });

  it('when concurrency is 3, then up to 3 nodes are in flight and never more', async () => {
    h = new Harness(workers(7));
    h.cluster.setMigration({ concurrency: 3 });
    await h.startEngine();
    h.startAgents();
    await h.waitFor(() => h!.allIn('Done'), 60_000, 'all Done');
    expect(h.cluster.maxInFlight).toBe(3);
    expect([...h.cluster.reboots.values()]).toEqual(Array(7).fill(1));
    expect(h.cluster.leases.has(slotLeaseName(2))).toBe(true);
    expect(h.cluster.leases.has(slotLeaseName(3))).toBe(false);
  });

  it('when control-plane nodes are included, then they go after every worker and the coordinator node last', async () => {
    h = new Harness([{ name: 'cp1', controlPlane: true }, { name: 'cp0', controlPlane: true }, ...workers(2)]);
    h.cluster.setMigration({ concurrency: 2, includeControlPlane: true });
    const order: string[] = [];
    h.cluster.onPhase = (node, phase) => {
      if (phase === 'Draining') order.push(node);
    };
    await h.startEngine();
    h.startAgents();
    await h.waitFor(() => h!.allIn('Done'), 60_000, 'all Done');
    expect(order).toEqual(['w1', 'w2', 'cp0', 'cp1']);
  });

  it('when a node was already cordoned, then it is left cordoned after its migration', async () => {
    h = new Harness([{ name: 'w1', unschedulable: true }]);
    await h.startEngine();
    h.startAgents();
    await h.waitFor(() => h!.allIn('Done'), 60_000, 'Done');
    expect(h.cluster.node('w1').spec?.unschedulable).toBe(true);
    expect(h.cluster.node('w1').metadata?.annotations?.[NodeAnnotation.wasUnschedulable]).toBe('true');
  });

  it('when the rollout is paused, then nothing starts until it is resumed', async () => {
    h = new Harness(workers(2));
    h.cluster.setMigration({ paused: true });
    await h.startEngine();
    h.startAgents();
    await h.waitFor(() => h!.cluster.migrationStatus()['phase'] === 'Paused', 60_000, 'status Paused');
    expect(h.cluster.phaseOf('w1')).toBeUndefined();
    h.cluster.setMigration({ paused: false });
    await h.waitFor(() => h!.allIn('Done'), 60_000, 'all Done');
    await h.waitFor(() => h!.cluster.migrationStatus()['phase'] === 'Completed', 60_000, 'status Completed');
  });

  it('when the rollout is paused mid-node, then the node finishes its step and waits for the resume', async () => {
    const lines: string[] = [];
    const log = createLogger({ component: 'test', level: 'info', destination: { write: (l: string) => void lines.push(l) } });
    h = new Harness(workers(2), testConfig(), log);
    h.cluster.onPhase = (node, phase) => {
      if (node === 'w1' && phase === 'Rebooting') h!.cluster.setMigration({ paused: true });
    };
    await h.startEngine();
    h.startAgents();
    await h.waitFor(() => h!.cluster.reboots.get('w1') === 1, 60_000, 'w1 rebooted');
    await h.waitFor(() => h!.cluster.migrationStatus()['phase'] === 'Paused', 60_000, 'status Paused');
    // The engine's own decision, not a pause in the test: once w1's reboot is seen, the pause holds it (and logs why).
    const heldByPause = (l: string): boolean => {
      const r = JSON.parse(l) as { node?: string; held?: string };
      return r.node === 'w1' && r.held === 'paused';
    };
    await waitFor('w1 held by the pause after its reboot', () => lines.some(heldByPause), { timeoutMs: 60_000 });
    expect(h.cluster.phaseOf('w1')).toBe('Rebooting');
    h.cluster.setMigration({ paused: false });
    await h.waitFor(() => h!.allIn('Done'), 60_000, 'all Done');
    expect([...h.cluster.reboots.values()]).toEqual([1, 1]);
  });

  it('when the Cilium DaemonSet is missing, then no node starts and the status says why, until it appears', async () => {
    h = new Harness(workers(2));
    h.cluster.ciliumUninstalled = true;
    await h.startEngine();
    h.startAgents();
    const ciliumCondition = () =>
      (h!.cluster.migrationStatus()['conditions'] as { type: string; status: string; message: string }[] | undefined)?.find(
        (c) => c.type === 'CiliumReady',
      );
    await h.waitFor(() => ciliumCondition()?.status === 'False', 60_000, 'CiliumReady False');
    expect(ciliumCondition()?.message).toContain('DaemonSet kube-system/cilium not found');
    expect(h.cluster.phaseOf('w1')).toBeUndefined();
    h.cluster.ciliumUninstalled = false;
    h.cluster.addCiliumPod('w9', true);
    await h.waitFor(() => h!.allIn('Done', ['w1', 'w2']), 60_000, 'all Done');
  });

  it("when a node in flight waits for its restarted Cilium pod, then that pod does not hold the next node's grant", async () => {
    h = new Harness(workers(3));
    h.cluster.setMigration({ concurrency: 2 });
    h.cluster.ciliumBroken.add('w1');
    await h.startEngine();
    h.startAgents();
    await h.waitFor(() => h!.cluster.phaseOf('w2') === 'Done' && h!.cluster.phaseOf('w3') !== undefined, 60_000, 'w2 Done and w3 granted');
    expect(h.cluster.phaseOf('w1')).toBe('RestartingCilium');
    h.cluster.ciliumBroken.delete('w1');
    h.cluster.addCiliumPod('w1', true);
    await h.waitFor(() => h!.allIn('Done'), 60_000, 'all Done');
  });

  it('when a node selector limits the scope, then only the selected nodes are migrated and counted', async () => {
    h = new Harness(workers(3));
    h.cluster.patchNode('w2', { labels: { pool: 'blue' } });
    h.cluster.patchNode('w3', { labels: { pool: 'blue' } });
    h.cluster.setMigration({ nodeSelector: 'pool=blue', concurrency: 2 });
    await h.startEngine();
    h.startAgents();
    await h.waitFor(() => h!.allIn('Done', ['w2', 'w3']), 60_000, 'w2 and w3 Done');
    await h.waitFor(() => h!.cluster.migrationStatus()['phase'] === 'Completed', 60_000, 'status Completed');
    expect(h.cluster.migrationStatus()).toMatchObject({ total: 2, migrated: 2 });
    expect(h.cluster.phaseOf('w1')).toBeUndefined();
  });

  it('when the leader Lease is written, then it carries the address agents use', async () => {
    h = new Harness(workers(1));
    await h.startEngine();
    await h.waitFor(() => h!.engine!.isLeader(), 60_000, 'leader');
    expect(h.cluster.leases.get('cni-migrate-leader')?.annotations['cni-migrate.io/address']).toBe('192.168.1.10:9876');
  });
});
