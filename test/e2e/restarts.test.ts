import { describe, expect, it } from '@jest/globals';
import type { DemoControls } from '../../sim/demo/run-demo.js';
import { expectOk, runRollout } from './support.js';

/**
 * The in-flight phases every node records (the cordon, the label and the uncordon ride in the patch of the
 * phase next to them; a rebooted node waits to be Ready still recorded as Rebooting).
 */
const CRASH_PHASES = new Set(['Draining', 'RestartingCilium', 'Rebooting', 'Validating']);

const OUTAGE_PROOF_DEADLINES = { drainTimeoutSeconds: 40, rebootTimeoutSeconds: 40, validateTimeoutSeconds: 40 };

/** Kills the leading coordinator (no graceful stop) the first time any node enters each in-flight phase. */
function crashAtEveryPhase(): { crashes: string[]; onNodePhase: (node: string, phase: string, controls: DemoControls) => void } {
  const crashes: string[] = [];
  return {
    crashes,
    onNodePhase: (node, phase, controls) => {
      if (!CRASH_PHASES.has(phase) || crashes.some((c) => c.endsWith(`/${phase}`))) return;
      crashes.push(`${node}/${phase}`);
      void controls.crashCoordinator(Math.max(0, controls.leaderIndex()));
    },
  };
}

describe('end to end: restarts at every phase', () => {
  it('when the coordinator is killed and restarted at every phase, then each node is migrated once and rebooted once', async () => {
    const { summary, ok, coordinatorRestarts } = await runRollout({ nodes: 4, concurrency: 1, scenario: 'coordinator-restarts' });
    expect(summary).toMatchObject({ migrated: 4, halted: null, maxRebootsPerNode: 1, maxInFlight: 1 });
    expectOk({ ok, summary });
    expect(coordinatorRestarts).toBeGreaterThanOrEqual(5);
  });

  it('when the coordinator is restarted at every phase with concurrency 2, then never more than 2 nodes are in flight', async () => {
    const { summary, ok, coordinatorRestarts } = await runRollout({ nodes: 5, concurrency: 2, scenario: 'coordinator-restarts' });
    expectOk({ ok, summary });
    expect(summary).toMatchObject({ migrated: 5, halted: null, maxRebootsPerNode: 1 });
    expect(summary.maxInFlight).toBe(2);
    expect(coordinatorRestarts).toBeGreaterThanOrEqual(5);
  });

  it("when a node's agent is killed at every phase, then every node still migrates, rebooted once", async () => {
    const kills: string[] = [];
    const { summary, ok } = await runRollout(
      { nodes: 3 },
      {
        onNodePhase: (node, phase, controls) => {
          if (phase === 'Pending' || phase === 'Done') return;
          kills.push(`${node}/${phase}`);
          void controls.killAgent(node, true);
        },
      },
    );
    expectOk({ ok, summary });
    expect(summary).toMatchObject({ migrated: 3, maxRebootsPerNode: 1, maxInFlight: 1 });
    expect(kills.length).toBeGreaterThanOrEqual(3 * CRASH_PHASES.size);
  });

  it('when two coordinator replicas run and the leader is restarted mid-rollout, then the other takes over and all nodes migrate', async () => {
    let restartedLeader = false;
    const { summary, ok } = await runRollout(
      { nodes: 4 },
      {
        replicas: 2,
        onNodePhase: (_node, phase, controls) => {
          if (restartedLeader || phase !== 'Draining') return;
          restartedLeader = true;
          void controls.restartCoordinator(Math.max(0, controls.leaderIndex()));
        },
      },
    );
    expect({ restartedLeader, summary }).toMatchObject({ restartedLeader: true });
    expectOk({ ok, summary });
    expect(summary).toMatchObject({ migrated: 4, maxRebootsPerNode: 1, maxInFlight: 1 });
  });

  it('when the coordinator is killed (not stopped) at every phase, then each node is migrated once and rebooted once, never more than 1 in flight', async () => {
    const hook = crashAtEveryPhase();
    const { summary, ok, coordinatorRestarts } = await runRollout(
      { nodes: 3, concurrency: 1 },
      { onNodePhase: hook.onNodePhase, coordinator: { leaseDurationSeconds: 2 } },
    );
    expect(hook.crashes).toHaveLength(CRASH_PHASES.size);
    expect(coordinatorRestarts).toBeGreaterThanOrEqual(CRASH_PHASES.size);
    expectOk({ ok, summary });
    expect(summary).toMatchObject({ migrated: 3, halted: null, maxRebootsPerNode: 1, maxInFlight: 1 });
  });

  it('when the coordinator is killed (not stopped) at every phase with concurrency 2, then never more than 2 nodes are in flight', async () => {
    const hook = crashAtEveryPhase();
    const { summary, ok } = await runRollout(
      { nodes: 4, concurrency: 2 },
      // Eight takeovers of ~2 s each land on the second node's steps: its deadlines must outlast them all.
      { onNodePhase: hook.onNodePhase, coordinator: { leaseDurationSeconds: 2, ...OUTAGE_PROOF_DEADLINES } },
    );
    expect(hook.crashes).toHaveLength(CRASH_PHASES.size);
    expectOk({ ok, summary });
    expect(summary).toMatchObject({ migrated: 4, halted: null, maxRebootsPerNode: 1 });
    expect(summary.maxInFlight).toBe(2);
  });
});
