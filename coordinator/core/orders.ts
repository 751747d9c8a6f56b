/**
 * Which order a node's agent should see now, derived from the node's recorded state alone. The id
 * `<node>.<attempt>.<phase>` is deterministic, so a redelivered order (or one re-derived by a restarted
 * coordinator) carries the same id and the agent treats it as the same order.
 */
import type { Order } from '../../shared/api.js';
import type { Phase } from '../../shared/phases.js';
import type { NodeState } from './node-state.js';
import type { ValidationCidrs } from './preflight/index.js';

export interface OrderSettings {
  dnsName: string;
  validateTimeoutSeconds: number;
  /** The check pod's image; the agent's default when unset. */
  checkImage?: string | undefined;
  /** The pod CIDRs read from the cluster by pre-flight; no validation order until they are known. */
  cidrs: ValidationCidrs | undefined;
}

const MAX_ORDER_ID = 128;

export function orderIdFor(node: string, attempt: number, phase: Phase): string {
  const suffix = `.${attempt}.${phase}`;
  return `${node.slice(0, MAX_ORDER_ID - suffix.length)}${suffix}`;
}

/** Per-check timeout handed to the check pod: a quarter of the validation deadline, within the API's bounds. */
export function checkTimeoutSeconds(validateTimeoutSeconds: number): number {
  return Math.min(600, Math.max(1, Math.floor(validateTimeoutSeconds / 4)));
}

/** The validation order: the pod CIDR pre-flight read for the direction (none until it is known). */
function validateOrder(state: NodeState, id: string, settings: OrderSettings): Order | null {
  if (!settings.cidrs) return null;
  return {
    kind: 'validate',
    id,
    expectedCidr: state.phase === 'Validating' ? settings.cidrs.forward : settings.cidrs.rollback,
    peers: state.peers.slice(0, 16),
    dnsName: settings.dnsName,
    timeoutSeconds: checkTimeoutSeconds(settings.validateTimeoutSeconds),
    ...(settings.checkImage ? { image: settings.checkImage } : {}),
    ...(state.phaseSince ? { notAfter: new Date(state.phaseSince.getTime() + settings.validateTimeoutSeconds * 1000).toISOString() } : {}),
  };
}

export function orderFor(state: NodeState, settings: OrderSettings): Order | null {
  const id = orderIdFor(state.name, state.attempt, state.phase);
  switch (state.phase) {
    case 'Rebooting':
    case 'RollbackRebooting':
      return state.bootIdBefore ? { kind: 'reboot', id, ifBootId: state.bootIdBefore } : null;
    case 'Validating':
    case 'RollbackValidating':
      return validateOrder(state, id, settings);
    case 'RollbackRestoringCniFiles':
      return { kind: 'restore-cni-files', id };
    default:
      return null;
  }
}

/** The recorded result, when it answers the node's current order. */
export function resultForCurrentOrder(state: NodeState): NodeState['lastResult'] {
  const current = orderIdFor(state.name, state.attempt, state.phase);
  return state.lastResult?.orderId === current ? state.lastResult : undefined;
}
