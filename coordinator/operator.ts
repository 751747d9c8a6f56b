/**
 * The operator's commands, all through the Kubernetes API (no coordinator endpoint): read the
 * Migration's status, pause/resume through `spec.paused`, ask for a node's retry or rollback with
 * the Node annotation `cni-migrate.io/request`, which the leader acts on and clears, and for a halted
 * stage's retry with `spec.stages.retryAttempt` (the attempt that halted: spent once the retry starts).
 */
import type { V1Node } from '@kubernetes/client-node';
import { K8sNameSchema } from '../shared/api.js';
import { ConfigError, CniMigrateError, PreconditionError } from '../shared/errors.js';
import { CONTROL_PLANE_LABEL, NodeAnnotation } from '../shared/names.js';
import { readNodeState, REQUEST_ACCEPTED_IN, type OperatorRequest } from './core/node-state.js';
import { readStageRecord } from './core/stages/record.js';
import type { OperatorApi } from './kube/operator-api.js';
import { buildRolloutView, type RolloutView } from './view/rollout-view.js';
import { renderRolloutView } from './view/render.js';

export { operatorApi, type OperatorApi } from './kube/operator-api.js';

export type StatusFormat = 'text' | 'wide' | 'json';

async function requireMigration(api: Pick<OperatorApi, 'migration'>): Promise<{ spec: unknown; status: unknown }> {
  const m = await api.migration.get();
  if (!m) throw new CniMigrateError('NotFound', 'Migration "default" not found: apply deploy/migration-default.yaml first');
  return { spec: m.spec, status: m.status };
}

const specField = (spec: unknown, key: string): unknown =>
  typeof spec === 'object' && spec !== null ? (spec as Record<string, unknown>)[key] : undefined;

/** The nodes the Migration covers (its selector; control-plane nodes unless excluded), and anything it touched. */
async function nodesInScope(api: OperatorApi, spec: unknown): Promise<V1Node[]> {
  const selector = specField(spec, 'nodeSelector');
  const includeCp = specField(spec, 'includeControlPlane') !== false;
  const all = await api.listNodes('');
  const selected = typeof selector === 'string' && selector !== '' ? new Set(await api.nodes.namesMatching(selector)) : undefined;
  const touched = (n: V1Node): boolean => n.metadata?.annotations?.[NodeAnnotation.phase] !== undefined;
  const isSelected = (n: V1Node): boolean => selected === undefined || selected.has(n.metadata?.name ?? '');
  const isControlPlane = (n: V1Node): boolean => n.metadata?.labels?.[CONTROL_PLANE_LABEL] !== undefined;
  return all.filter((n) => touched(n) || (isSelected(n) && (includeCp || !isControlPlane(n))));
}

/** Reads what the status shows: the Migration, the nodes in scope, and the pods and budgets of draining nodes. */
export async function readRolloutView(api: OperatorApi, now: Date): Promise<RolloutView> {
  const m = await requireMigration(api);
  const nodes = await nodesInScope(api, m.spec);
  const draining = nodes.filter((n) => n.metadata?.annotations?.[NodeAnnotation.phase] === 'Draining').map((n) => n.metadata?.name ?? '');
  const pods = new Map(await Promise.all(draining.map(async (n) => [n, await api.podsOn(n)] as const)));
  const pdbs = draining.length > 0 ? await api.pdbs() : [];
  return buildRolloutView({ migration: m, nodes, podsOn: (n) => pods.get(n) ?? [], pdbs, now });
}

export function formatRolloutView(view: RolloutView, format: StatusFormat): string {
  if (format === 'json') return `${JSON.stringify(view, null, 2)}\n`;
  return `${renderRolloutView(view, format).join('\n')}\n`;
}

export async function showStatus(api: OperatorApi, format: StatusFormat = 'text', now = new Date()): Promise<string> {
  return formatRolloutView(await readRolloutView(api, now), format);
}

export async function setPaused(api: Pick<OperatorApi, 'migration'>, paused: boolean): Promise<string> {
  await requireMigration(api);
  await api.migration.patchSpec({ paused });
  return paused ? 'paused: no new step starts\n' : 'resumed\n';
}

/** A node name from the command line, or a clear usage error. */
export function parseNodeName(node: string): string {
  const parsed = K8sNameSchema.safeParse(node);
  if (!parsed.success) {
    throw new ConfigError(`invalid node name ${JSON.stringify(node)}: ${parsed.error.issues[0]?.message ?? ''}`);
  }
  return parsed.data;
}

export async function requestNode(api: OperatorApi, node: string, request: OperatorRequest): Promise<string> {
  const name = parseNodeName(node);
  const n = await api.readNode(name);
  if (!n) throw new CniMigrateError('NotFound', `node ${name} not found`);
  const state = readNodeState(name, n.metadata?.annotations);
  if (!REQUEST_ACCEPTED_IN[request].includes(state.phase)) {
    throw new PreconditionError(`node ${name} is ${state.phase}: ${request} applies to ${REQUEST_ACCEPTED_IN[request].join(' or ')} nodes`);
  }
  await api.nodes.patch(name, { annotations: { [NodeAnnotation.request]: request } });
  return `${request} requested for ${name} (was ${state.phase}${state.haltReason ? `: ${state.haltReason}` : ''})\n`;
}

/** `retry --stage`: retry the halted cluster-level stage step (its attempt goes in spec.stages.retryAttempt). */
export async function requestStageRetry(api: Pick<OperatorApi, 'migration'>): Promise<string> {
  const m = await requireMigration(api);
  const stage = readStageRecord((m.status as { stage?: unknown } | undefined)?.stage);
  if (!stage) throw new PreconditionError('no cluster-level stage has started: retry --stage applies to a halted stage (retry NODE retries a node)');
  const where = `${stage.stage}/${stage.step}`;
  if (stage.haltReason === undefined) throw new PreconditionError(`stage ${where} is not halted: retry --stage applies to a halted stage`);
  await api.migration.patchSpec({ stages: { retryAttempt: stage.attempt } });
  return `retry requested for stage ${where} (attempt ${stage.attempt} halted: ${stage.haltReason})\n`;
}
