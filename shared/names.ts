/**
 * Every name cni-migrate writes into a cluster: labels, annotations, Leases, the API group of its
 * custom resource, the token audience. Nothing else in the code base spells these strings.
 */

/** The label Cilium's CiliumNodeConfig `kube-system/cilium-default` selects on. */
export const CILIUM_MIGRATION_LABEL = 'io.cilium.migration/cilium-default';
export const CILIUM_MIGRATION_LABEL_VALUE = 'true';

export const CONTROL_PLANE_LABEL = 'node-role.kubernetes.io/control-plane';
/** The well-known zone label (`spec.maxUnavailablePerZone` caps nodes in flight per value). */
export const ZONE_LABEL = 'topology.kubernetes.io/zone';

/** Prefix of every annotation the coordinator writes on a Node. */
export const ANNOTATION_PREFIX = 'cni-migrate.io/';

/** Per-node progress, recorded on the Node before each side effect (intent), then after (outcome). */
export const NodeAnnotation = {
  /** The phase the node is in (see phases.ts). Written before the phase's side effect runs. */
  phase: `${ANNOTATION_PREFIX}phase`,
  /** RFC 3339 time the current phase was entered. */
  phaseSince: `${ANNOTATION_PREFIX}phase-since`,
  /** How many times this node's migration was started (incremented by retry). */
  attempt: `${ANNOTATION_PREFIX}attempt`,
  /** RFC 3339 time the node was granted. */
  startedAt: `${ANNOTATION_PREFIX}started-at`,
  /** RFC 3339 time the node reached Done or RolledBack. */
  finishedAt: `${ANNOTATION_PREFIX}finished-at`,
  /** "true" when the node was already unschedulable before cni-migrate cordoned it. */
  wasUnschedulable: `${ANNOTATION_PREFIX}was-unschedulable`,
  /** The boot id seen before the reboot order was issued. */
  bootIdBefore: `${ANNOTATION_PREFIX}boot-id-before`,
  /** The id of the order last issued to the node's agent. */
  orderId: `${ANNOTATION_PREFIX}order-id`,
  /** `<order id> <RFC 3339 time>`: when the order named was first handed to the node's agent (written once per order). */
  orderDelivered: `${ANNOTATION_PREFIX}order-delivered`,
  /**
   * RFC 3339 time the node's agent was last heard from, as of the last write that carried it (an order's
   * delivery, a halt): not a write per heartbeat.
   */
  agentSeen: `${ANNOTATION_PREFIX}agent-seen`,
  /** Why the node halted (human-readable). */
  haltReason: `${ANNOTATION_PREFIX}halt-reason`,
  /** Which direction the node is moving: "migrate" or "rollback". */
  direction: `${ANNOTATION_PREFIX}direction`,
  /** The step that failed (set with halt-reason); `retry` goes back to it. */
  failedPhase: `${ANNOTATION_PREFIX}failed-phase`,
  /** The uid of the node's Cilium pod before it was deleted (so a repeated step never deletes its replacement). */
  ciliumPodBefore: `${ANNOTATION_PREFIX}cilium-pod-before`,
  /** Space-separated peer pod IPs chosen for the validation order. */
  validatePeers: `${ANNOTATION_PREFIX}validate-peers`,
  /** JSON {orderId, outcome, message} of the last result the node's agent reported for its current order. */
  lastResult: `${ANNOTATION_PREFIX}last-result`,
  /** Written by the operator (`cni-migrate retry|rollback NODE`): "retry" or "rollback"; cleared when acted on. */
  request: `${ANNOTATION_PREFIX}request`,
  /** After the cleanup stage: `found <kind>=<n> …; left <n>` (the node's Calico inventory before and after). */
  cleanupInventory: `${ANNOTATION_PREFIX}cleanup-inventory`,
} as const;
export type NodeAnnotationKey = (typeof NodeAnnotation)[keyof typeof NodeAnnotation];

/**
 * The node's phase again as a label (same key as the annotation), so `kubectl get nodes -L cni-migrate.io/phase`
 * and `-l cni-migrate.io/phase=Done` work. The annotation stays the record of intent; the label follows it.
 */
export const PHASE_LABEL = NodeAnnotation.phase;

/** Leases, all in the coordinator's namespace. */
export const LEADER_LEASE_NAME = 'cni-migrate-leader';
/** Grant slot i is the Lease `cni-migrate-slot-<i>`; its holderIdentity is the node being migrated. */
export const SLOT_LEASE_PREFIX = 'cni-migrate-slot-';
export const slotLeaseName = (slot: number): string => `${SLOT_LEASE_PREFIX}${slot}`;
/** Annotation on the leader Lease: `host:port` where agents reach the current coordinator (no DNS needed). */
export const COORDINATOR_ADDRESS_ANNOTATION = `${ANNOTATION_PREFIX}address`;

/** The audience of the agent's projected ServiceAccount token; the coordinator rejects any other. */
export const TOKEN_AUDIENCE = 'cni-migrate';

/** Extras a pod-bound token carries in TokenReview's `status.user.extra`. */
export const TOKEN_EXTRA_POD_NAME = 'authentication.kubernetes.io/pod-name';
export const TOKEN_EXTRA_POD_UID = 'authentication.kubernetes.io/pod-uid';

/** The custom resource holding what the operator wants, and the coordinator's status. */
export const MIGRATION_GROUP = 'cni-migrate.io';
export const MIGRATION_VERSION = 'v1alpha1';
export const MIGRATION_KIND = 'Migration';
export const MIGRATION_PLURAL = 'migrations';
export const MIGRATION_DEFAULT_NAME = 'default';

/** Labels on objects cni-migrate creates (check pods). */
export const APP_LABEL = 'app.kubernetes.io/name';
export const COMPONENT_LABEL = 'app.kubernetes.io/component';
export const CHECK_POD_COMPONENT = 'validation-check';

/** Cilium objects the tool reads or touches. */
export const CILIUM_NAMESPACE = 'kube-system';
export const CILIUM_DAEMONSET = 'cilium';
export const CILIUM_POD_SELECTOR = 'k8s-app=cilium';
export const CILIUM_NODE_CONFIG_NAME = 'cilium-default';


/** Event reason prefix and reporting component. */
export const EVENT_COMPONENT = 'cni-migrate';
