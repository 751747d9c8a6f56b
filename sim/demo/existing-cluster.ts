/**
 * The demo on an existing cluster (`--kubeconfig`): before anything is created, refuse beside a rollout
 * that is not the demo's, remove what an earlier demo run left, and say what this run will create; after the
 * run (also when it failed or was interrupted), remove everything it created unless `--keep`.
 */
import { CoordinationV1Api, type KubeConfig } from '@kubernetes/client-node';
import { describeError } from '../../shared/errors.js';
import { mergePatch } from '../cluster/kube.js';
import { LEADER_LEASE_NAME, MIGRATION_GROUP, MIGRATION_VERSION, SLOT_LEASE_PREFIX } from '../../shared/names.js';
import { AGENT_NAMESPACE } from './agent-fleet.js';
import { NODE_LEASE_NAMESPACE, NODE_PREFIX_LABEL, SIMULATED_NODE_LABEL } from '../cluster/node-objects.js';
import type { SeedOptions } from '../cluster/seed/index.js';
import type { SeedSettingsInput } from '../cluster/seed/settings.js';
import { seedObjects, type ObjectRef } from './plan.js';
import type { SimClusterOptions } from '../cluster/sim-options.js';
import { countByKind, listDemoObjects, removeDemoObjects } from './cleanup.js';
import { deployManifests, refOf } from './install.js';
import { ANY_DEMO_RUN, DEMO_NODE_PREFIX, DEMO_NODE_TAINT, DEMO_RUN_LABEL, demoRunOf, newDemoRun, type DemoRun } from './ownership.js';
import { absentOf, demoNodeNames, describePlan, loadKubeconfig, refuseBesideForeignRollout } from './preflight.js';

/** How long removing a run's objects may take (a namespace finalizes, pods are collected). */
const REMOVAL_DEADLINE_MS = 120_000;

export interface ExistingCluster {
  kc: KubeConfig;
  run: DemoRun;
  /** What the simulated cluster needs to play the demo's nodes there, labelled and tainted as the run's. */
  simOptions: Pick<SimClusterOptions, 'kubeconfig' | 'nodePrefix' | 'ownerLabels' | 'nodeTaints'>;
  /** Labels and placement of what the demo installs (the agents run on the demo's nodes only). */
  owner: Pick<SeedOptions, 'labels' | 'placement'>;
  /** The coordinator Leases that existed before the run (the run's coordinator creates the others). */
  leasesBefore: ReadonlySet<string>;
}

export type Say = (line: string) => void;

/** Everything the run may create (what exists already of these is used as it is). */
async function candidates(run: DemoRun, nodes: number, deployDir: string, shape: SeedSettingsInput): Promise<ObjectRef[]> {
  const names = demoNodeNames(nodes);
  return [
    ...(await deployManifests(deployDir)).map(refOf),
    ...(await seedObjects(shape)),
    ...names.map((name) => ({ kind: 'Node', apiVersion: 'v1', name })),
    ...names.map((name) => ({ kind: 'Lease', apiVersion: 'coordination.k8s.io/v1', namespace: NODE_LEASE_NAMESPACE, name })),
    { kind: 'Migration', apiVersion: `${MIGRATION_GROUP}/${MIGRATION_VERSION}`, name: run.migrationName },
  ];
}

const isCoordinatorLease = (name: string): boolean => name === LEADER_LEASE_NAME || name.startsWith(SLOT_LEASE_PREFIX);

/** The leader and grant-slot Leases in the coordinator's namespace (none when it does not exist). */
async function coordinatorLeases(kc: KubeConfig): Promise<string[]> {
  const leases = await kc
    .makeApiClient(CoordinationV1Api)
    .listNamespacedLease({ namespace: AGENT_NAMESPACE })
    .catch(() => ({ items: [] }));
  return leases.items.map((l) => l.metadata?.name ?? '').filter(isCoordinatorLease);
}

/**
 * The run's coordinator wrote its Leases in the coordinator namespace; when that namespace is not the run's
 * (cni-migrate was installed already), remove the ones that did not exist before the run.
 */
async function removeRunLeases(cluster: ExistingCluster): Promise<number> {
  const api = cluster.kc.makeApiClient(CoordinationV1Api);
  const created = (await coordinatorLeases(cluster.kc)).filter((name) => !cluster.leasesBefore.has(name));
  for (const name of created) await api.deleteNamespacedLease({ namespace: AGENT_NAMESPACE, name }).catch(() => undefined);
  return created.length;
}

/** Kept: the run's coordinator Leases get the run label too, so the next run finds them with the rest. */
async function labelRunLeases(cluster: ExistingCluster): Promise<void> {
  const api = cluster.kc.makeApiClient(CoordinationV1Api);
  const created = (await coordinatorLeases(cluster.kc)).filter((name) => !cluster.leasesBefore.has(name));
  for (const name of created) {
    await api.patchNamespacedLease({ namespace: AGENT_NAMESPACE, name, body: { metadata: { labels: cluster.run.labels } } }, mergePatch());
  }
}

async function removeLeftovers(kc: KubeConfig, say: Say): Promise<void> {
  const left = await listDemoObjects(kc, ANY_DEMO_RUN);
  if (left.length === 0) return;
  const runs = [...new Set(left.map((o) => demoRunOf(o) ?? '?'))].join(', ');
  say(`demo: removing what an earlier demo run left behind (run ${runs}): ${countByKind(left)}`);
  await removeDemoObjects(kc, ANY_DEMO_RUN, { deadlineMs: REMOVAL_DEADLINE_MS });
}

export async function prepareExistingCluster(o: {
  kubeconfig: string;
  nodes: number;
  deployDir: string;
  keep: boolean;
  /** How the simulated cluster will be seeded (so the plan lists exactly what the seed creates). */
  shape: SeedSettingsInput;
  say: Say;
}): Promise<ExistingCluster> {
  const kc = loadKubeconfig(o.kubeconfig);
  const run = newDemoRun();
  await refuseBesideForeignRollout(kc, o.nodes);
  await removeLeftovers(kc, o.say);
  const planned = await absentOf(kc, await candidates(run, o.nodes, o.deployDir, o.shape));
  const after = o.keep ? 'kept on exit (--keep); the next demo run removes them first' : 'removed on exit, also on failure or Ctrl-C';
  o.say(`demo: run ${run.id} on ${kc.getCurrentCluster()?.server ?? '?'} creates these objects, each labelled ${DEMO_RUN_LABEL}=${run.id} and ${after}:`);
  for (const line of describePlan(planned)) o.say(line);
  o.say('  plus what the rollout makes on the way: the agents\' pods, check pods, Leases and Events about the demo nodes');
  return {
    kc,
    run,
    leasesBefore: new Set(await coordinatorLeases(kc)),
    simOptions: { kubeconfig: o.kubeconfig, nodePrefix: DEMO_NODE_PREFIX, ownerLabels: run.labels, nodeTaints: [{ ...DEMO_NODE_TAINT }] },
    owner: {
      labels: run.labels,
      placement: {
        nodeSelector: { [SIMULATED_NODE_LABEL]: 'true', [NODE_PREFIX_LABEL]: DEMO_NODE_PREFIX },
        tolerations: [{ key: DEMO_NODE_TAINT.key, operator: 'Exists', effect: DEMO_NODE_TAINT.effect }],
      },
    },
  };
}

/** After the run: remove what it created (unless kept) and say what was removed. Never throws. */
export async function finishRun(cluster: ExistingCluster, keep: boolean, say: Say): Promise<boolean> {
  try {
    if (keep) {
      await labelRunLeases(cluster);
      const kept = await listDemoObjects(cluster.kc, cluster.run.selector);
      say(`demo: kept ${countByKind(kept) || 'nothing'} (label ${cluster.run.selector}); the next demo run removes them first`);
      return true;
    }
    const removed = await removeDemoObjects(cluster.kc, cluster.run.selector, { deadlineMs: REMOVAL_DEADLINE_MS });
    const leases = await removeRunLeases(cluster);
    const leaseNote = leases > 0 ? `, and its coordinator's ${leases} Lease${leases === 1 ? '' : 's'} in ${AGENT_NAMESPACE}` : '';
    say(`demo: removed everything run ${cluster.run.id} created: ${countByKind(removed) || 'nothing'}${leaseNote}`);
    return true;
  } catch (e) {
    say(`demo: could not remove everything run ${cluster.run.id} created (${describeError(e)}); the next demo run removes what is left first`);
    return false;
  }
}
