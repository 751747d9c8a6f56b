/**
 * Before a `--kubeconfig` run touches the cluster: refuse beside a rollout that is not the demo's, refuse to
 * adopt a node that merely shares the demo's names, and list what the run will create (objects that exist
 * already are used as they are, never changed).
 */
import { CoordinationV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, KubernetesObjectApi, type V1Lease, type V1Node } from '@kubernetes/client-node';
import { z } from 'zod';
import { CniMigrateError, ConfigError, describeError } from '../../shared/errors.js';
import { LEADER_LEASE_NAME, MIGRATION_GROUP, MIGRATION_PLURAL, MIGRATION_VERSION, NodeAnnotation } from '../../shared/names.js';
import { isInFlight, PhaseSchema } from '../../shared/phases.js';
import type { ObjectRef } from './plan.js';
import { nodeIdentities } from '../cluster/node-registry.js';
import { AGENT_NAMESPACE } from './agent-fleet.js';
import { demoRunOf, DEMO_NODE_PREFIX, DEMO_RUN_LABEL } from './ownership.js';

/** The kubeconfig, read once (a file that is missing or malformed is a clear one-line error). */
export function loadKubeconfig(path: string): KubeConfig {
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(path);
  } catch (e) {
    throw new ConfigError(`cannot read kubeconfig ${path}: ${describeError(e)}`, ['kubeconfig']);
  }
  if (kc.getCurrentCluster() === null) throw new ConfigError(`kubeconfig ${path} has no current cluster`, ['kubeconfig']);
  return kc;
}

const MigrationSchema = z.looseObject({
  metadata: z.looseObject({ name: z.string(), labels: z.record(z.string(), z.string()).optional() }),
  spec: z.looseObject({ paused: z.boolean().optional() }).optional(),
  status: z.looseObject({ phase: z.string().optional(), inFlight: z.number().optional() }).optional(),
});
const MigrationListSchema = z.looseObject({ items: z.array(MigrationSchema) });

const statusOf = (e: unknown): number | undefined =>
  typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'number' ? e.code : undefined;

async function call<T>(what: string, run: () => Promise<T>, absent: T): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (statusOf(e) === 404) return absent;
    throw new CniMigrateError('KubeApi', `${what} failed: ${describeError(e)}`, { cause: e });
  }
}

/** Migrations that are not the demo's and not finished (a paused one with nothing in flight counts as idle). */
async function foreignRollouts(kc: KubeConfig): Promise<string[]> {
  const raw = await call<unknown>(
    'listing Migrations',
    () => kc.makeApiClient(CustomObjectsApi).listClusterCustomObject({ group: MIGRATION_GROUP, version: MIGRATION_VERSION, plural: MIGRATION_PLURAL }),
    { items: [] },
  );
  const busy = MigrationListSchema.parse(raw).items.filter((m) => {
    if (demoRunOf(m) !== undefined) return false;
    const phase = m.status?.phase;
    if (phase === 'Completed') return false;
    return !(m.spec?.paused === true && (m.status?.inFlight ?? 0) === 0 && phase !== 'Halted');
  });
  return busy.map((m) => `Migration ${m.metadata.name} is ${m.status?.phase ?? 'not started'}${m.spec?.paused === true ? ' (paused)' : ''}`);
}

const phaseOf = (n: V1Node) => PhaseSchema.safeParse(n.metadata?.annotations?.[NodeAnnotation.phase]);

/** A live coordinator that is not the demo's holds the leader Lease (the demo's could never lead). */
async function foreignLeader(kc: KubeConfig, now: Date): Promise<string[]> {
  const lease = await call(
    'reading the leader Lease',
    () => kc.makeApiClient(CoordinationV1Api).readNamespacedLease({ namespace: AGENT_NAMESPACE, name: LEADER_LEASE_NAME }),
    undefined as V1Lease | undefined,
  );
  const holder = lease?.spec?.holderIdentity;
  if (lease === undefined || !holder || demoRunOf(lease) !== undefined || !isLive(lease, now)) return [];
  return [`coordinator ${holder} leads (Lease ${AGENT_NAMESPACE}/${LEADER_LEASE_NAME})`];
}

/** Renewed within its duration. */
function isLive(lease: V1Lease, now: Date): boolean {
  const renewed = new Date(lease.spec?.renewTime ?? 0).getTime();
  return renewed + (lease.spec?.leaseDurationSeconds ?? 0) * 1000 > now.getTime();
}

/**
 * Throws (nothing changed) when a rollout that is not the demo's is in progress, or a node that is not the
 * demo's carries one of the names the demo would give its nodes.
 */
export async function refuseBesideForeignRollout(kc: KubeConfig, nodeCount: number): Promise<void> {
  const nodes = (await call('listing Nodes', () => kc.makeApiClient(CoreV1Api).listNode(), { items: [] as V1Node[] })).items;
  const foreign = nodes.filter((n) => demoRunOf(n) === undefined);
  const busyNodes = foreign.flatMap((n) => {
    const p = phaseOf(n);
    return p.success && isInFlight(p.data) ? [`node ${n.metadata?.name ?? '?'} is ${p.data}`] : [];
  });
  const busy = [...(await foreignRollouts(kc)), ...busyNodes, ...(await foreignLeader(kc, new Date()))];
  if (busy.length > 0) {
    throw new CniMigrateError('Conflict', `refusing to run: a rollout that is not the demo's is in progress (${busy.join('; ')}); the demo changed nothing`);
  }
  const ours = new Set(demoNodeNames(nodeCount));
  const clash = foreign.map((n) => n.metadata?.name ?? '').filter((name) => ours.has(name));
  if (clash.length > 0) {
    throw new CniMigrateError('Conflict', `refusing to run: node ${clash.join(', ')} exists and is not the demo's (no ${DEMO_RUN_LABEL} label); the demo changed nothing`);
  }
}

export const demoNodeNames = (nodes: number): string[] =>
  nodeIdentities({ nodes, controlPlanes: 1, prefix: DEMO_NODE_PREFIX }).map((id) => id.name);

export interface PlannedObject {
  kind: string;
  namespace?: string;
  name: string;
}

/** Of these objects, the ones absent from the cluster (those the run will create). */
export async function absentOf(kc: KubeConfig, refs: readonly ObjectRef[]): Promise<PlannedObject[]> {
  const objects = KubernetesObjectApi.makeApiClient(kc);
  const out: PlannedObject[] = [];
  for (const r of refs) {
    const present = await objects
      .read({ apiVersion: r.apiVersion, kind: r.kind, metadata: { name: r.name, ...(r.namespace ? { namespace: r.namespace } : {}) } })
      .then(
        () => true,
        (e: unknown) => {
          if (statusOf(e) === 404 || (e instanceof Error && e.message.startsWith('Unrecognized API version and kind'))) return false;
          throw new CniMigrateError('KubeApi', `reading ${r.kind} ${r.name} failed: ${describeError(e)}`, { cause: e });
        },
      );
    if (!present) out.push({ kind: r.kind, name: r.name, ...(r.namespace ? { namespace: r.namespace } : {}) });
  }
  return out;
}

/** One line per kind: `  Node: demo-cp-1, demo-worker-1`. */
export function describePlan(planned: readonly PlannedObject[]): string[] {
  const byKind = new Map<string, string[]>();
  for (const p of planned) byKind.set(p.kind, [...(byKind.get(p.kind) ?? []), p.namespace ? `${p.namespace}/${p.name}` : p.name]);
  return [...byKind].map(([kind, names]) => `  ${kind}: ${names.join(', ')}`);
}

