import { describe, expect, it } from '@jest/globals';
import type { DemoControls } from '../../sim/demo/run-demo.js';
import type { FullRunSummary } from '../../sim/demo/full-run.js';
import { runRollout } from './support.js';

describe('end to end: the whole runbook on the simulated cluster (demo --full)', () => {
  it('When Calico was installed by manifest, then the run ends Complete: Cilium promoted, Calico backed up and removed, every node clean, the CRDs gone', async () => {
    const { full: ran, ok, summary } = await runRollout({ nodes: 3, concurrency: 3, full: true, calicoInstall: 'manifest' });
    expect({ ok, halted: summary.halted, cleanup: ran?.cleanup }).toMatchObject({ ok: true });
    const full = ran as FullRunSummary;
    expect(full).toMatchObject({ calicoInstall: 'manifest', stage: 'Complete/Done' });
    expect(Object.keys(full.stageSeconds)).toEqual(['Promote', 'RemoveCalico', 'CleanNodes', 'RemoveCrds']);
    expect(full.backup?.kinds).toMatchObject({ ippools: 1, felixconfigurations: 1 });
    expect(full.crdsRemoved).toContain('ippools.crd.projectcalico.org');
    expect(full.crdsRemoved.every((c) => !c.endsWith('policy.networking.k8s.io'))).toBe(true);
    for (const c of full.cleanup) {
      expect(c).toMatchObject({ left: 0, cleanups: 1 });
      expect(c.inventory).toMatch(/^found .*routes=3.*; left 0$/);
      expect(c.found).toMatchObject({ 'iptables-rules': 48, ipsets: 4, routes: 3, links: 2 });
      expect(Object.values(c.leftByKind ?? { missing: 1 }).every((n) => n === 0)).toBe(true);
      expect(Object.keys(c.leftByKind ?? {}).sort()).toEqual(Object.keys(c.found ?? {}).sort());
    }
  }, 120_000);

  it('When the second rolling reboot is asked for (--reboot-after-cleanup), then every node reboots once more after its cleanup and the JSON times the RebootNodes stage', async () => {
    const { full, ok, summary } = await runRollout({ nodes: 3, concurrency: 2, full: true, calicoInstall: 'manifest', rebootAfterCleanup: true });
    expect({ ok, halted: summary.halted, cleanup: full?.cleanup }).toMatchObject({ ok: true });
    expect(full).toMatchObject({ stage: 'Complete/Done' });
    expect(Object.keys(full?.stageSeconds ?? {})).toEqual(['Promote', 'RemoveCalico', 'CleanNodes', 'RebootNodes', 'RemoveCrds']);
    // Boot id changes seen per node: one in the rollout, one in the stage.
    expect(summary.maxRebootsPerNode).toBe(2);
  }, 120_000);

  it('When Calico was installed by the operator and the coordinator is killed at each stage (at its first side effect, and mid-cleanup), then the run still ends Complete with ds/cilium restarted once and every node cleaned once', async () => {
    const crashes: string[] = [];
    // Every step is killed in the engine tests (test/coordinator/engine/stages.test.ts); here, one per stage.
    const killAt = new Set(['Promote/RestartingCiliumDaemonSet', 'RemoveCalico/RemovingInstallation', 'CleanNodes/Cleaning', 'RemoveCrds/RemovingCrds']);
    const onStageStep = (step: string, controls: DemoControls): void => {
      if (!killAt.has(step)) return;
      crashes.push(step);
      void controls.crashCoordinator(Math.max(0, controls.leaderIndex()));
    };
    const { full, ok, summary } = await runRollout(
      { nodes: 3, concurrency: 3, full: true, calicoInstall: 'operator' },
      { onStageStep, coordinator: { leaseDurationSeconds: 2 } },
    );
    expect({ ok, halted: summary.halted, cleanup: full?.cleanup }).toMatchObject({ ok: true });
    expect(full).toMatchObject({ calicoInstall: 'operator', stage: 'Complete/Done' });
    expect(full?.backup?.kinds).toMatchObject({ 'installations.operator.tigera.io': 1 });
    expect(crashes.sort()).toEqual([...killAt].sort());
    expect(full?.cleanup.map((c) => [c.left, c.cleanups])).toEqual([[0, 1], [0, 1], [0, 1]]);
  }, 120_000);
});
