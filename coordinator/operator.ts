/**
 * The operator's commands, all through the Kubernetes API (no coordinator endpoint): read the
 * Migration's status, pause/resume through `spec.paused`, and ask for a node's retry or rollback with
 * the Node annotation `cni-migrate.io/request`, which the leader acts on and clears.
 */
import type { V1Node } from '@kubernetes/client-node';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { K8sNameSchema } from '../shared/api.js';
import { ConfigError, CniMigrateError, PreconditionError } from '../shared/errors.js';
import { NodeAnnotation } from '../shared/names.js';
import { MigrationStatusSchema, type MigrationStatus } from './core/migration-spec.js';
import { readNodeState, type OperatorRequest } from './core/node-state.js';
import { isNotFound, kubeError } from './kube/api-errors.js';
import { migrationApi, type MigrationApi } from './kube/migration.js';
import { nodesApi, type NodesApi } from './kube/nodes.js';

export interface OperatorApi {
  migration: MigrationApi;
  nodes: NodesApi;
  readNode(name: string): Promise<V1Node | undefined>;
}

export function operatorApi(kc: KubeConfig): OperatorApi {
  const core = kc.makeApiClient(CoreV1Api);
  return {
    migration: migrationApi(kc),
    nodes: nodesApi(kc),
    readNode: async (name) => {
      try {
        return await core.readNode({ name });
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw kubeError(`read node ${name}`, e);
      }
    },
  };
}

const pad = (rows: string[][]): string[] => {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd());
};

/** A human-readable status report. */
export function renderStatus(status: MigrationStatus | undefined, paused: boolean): string {
  if (!status) return `Migration default: no status yet${paused ? ' (paused)' : ''}\n`;
  const head = `Migration default: ${status.phase}  migrated ${status.migrated}/${status.total}  in flight ${status.inFlight}`;
  const halt = status.haltReason ? [`halted: ${status.haltReason}`] : [];
  const rows = [
    ['NODE', 'PHASE', 'ATTEMPT', 'SECONDS', 'REASON'],
    ...status.nodes.map((n) => [n.name, n.phase, String(n.attempt), String(n.durationSeconds ?? ''), n.reason ?? '']),
  ];
  return [head, ...halt, '', ...pad(rows), ''].join('\n');
}

async function requireMigration(api: OperatorApi): Promise<{ spec: unknown; status: unknown }> {
  const m = await api.migration.get();
  if (!m) throw new CniMigrateError('NotFound', 'Migration "default" not found: apply deploy/migration-default.yaml first');
  return { spec: m.spec, status: m.status };
}

export async function showStatus(api: OperatorApi): Promise<string> {
  const m = await requireMigration(api);
  const status = MigrationStatusSchema.safeParse(m.status);
  const paused = typeof m.spec === 'object' && m.spec !== null && 'paused' in m.spec && m.spec.paused === true;
  return renderStatus(status.success ? status.data : undefined, paused);
}

export async function setPaused(api: OperatorApi, paused: boolean): Promise<string> {
  await requireMigration(api);
  await api.migration.patchSpec({ paused });
  return paused ? 'paused: no new step starts\n' : 'resumed\n';
}

const REQUESTABLE: Record<OperatorRequest, readonly string[]> = {
  retry: ['Halted', 'RolledBack'],
  rollback: ['Halted'],
};

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
  if (!REQUESTABLE[request].includes(state.phase)) {
    throw new PreconditionError(`node ${name} is ${state.phase}: ${request} applies to ${REQUESTABLE[request].join(' or ')} nodes`);
  }
  await api.nodes.patch(name, { annotations: { [NodeAnnotation.request]: request } });
  return `${request} requested for ${name} (was ${state.phase}${state.haltReason ? `: ${state.haltReason}` : ''})\n`;
}
