/**
 * The validation check pod, built purely from its inputs: pinned to the node, tolerating every taint,
 * on the pod network (not hostNetwork), never restarted, with a deadline, owned by the agent pod (so
 * the garbage collector removes it with the agent), its inputs in env only.
 */
import type { V1Pod, V1EnvVar } from '@kubernetes/client-node';
import { CHECK_CONTAINER_NAME, CheckEnv } from '../../shared/checks.js';
import { APP_LABEL, CHECK_POD_COMPONENT, COMPONENT_LABEL } from '../../shared/names.js';
import type { Order } from '../../shared/api.js';
import { CHECK_SCRIPT } from './check-script.js';

export type ValidateOrder = Extract<Order, { kind: 'validate' }>;

export interface CheckPodInput {
  nodeName: string;
  namespace: string;
  /** The agent pod: owner of the check pod. */
  ownerPod: { name: string; uid: string };
  image: string;
  order: ValidateOrder;
}

export const CHECK_APP_NAME = 'cni-migrate';
/** Slack beyond the per-check timeouts for pulling nothing, starting and writing the report. */
const DEADLINE_SLACK_SECONDS = 30;

/** Every check runs in sequence: CIDR, API, each peer, DNS. */
export const checkPodDeadlineSeconds = (order: ValidateOrder): number =>
  order.timeoutSeconds * (order.peers.length + 3) + DEADLINE_SLACK_SECONDS;

/** A name unique per order, within the 63 characters a pod name may use for its hostname. */
export function checkPodName(nodeName: string, orderId: string): string {
  const clean = (s: string): string => s.toLowerCase().replace(/[^a-z0-9-]/g, '-');
  return `cni-check-${clean(nodeName).slice(0, 24)}-${clean(orderId).slice(-24)}`.replace(/-+$/, '');
}

export function checkPodEnv(order: ValidateOrder): V1EnvVar[] {
  return [
    { name: CheckEnv.expectedCidr, value: order.expectedCidr },
    { name: CheckEnv.peers, value: order.peers.join(' ') },
    { name: CheckEnv.dnsName, value: order.dnsName },
    { name: CheckEnv.timeoutSeconds, value: String(order.timeoutSeconds) },
  ];
}

export function buildCheckPod(input: CheckPodInput): V1Pod {
  const { nodeName, namespace, ownerPod, image, order } = input;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: checkPodName(nodeName, order.id),
      namespace,
      labels: { [APP_LABEL]: CHECK_APP_NAME, [COMPONENT_LABEL]: CHECK_POD_COMPONENT },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: ownerPod.name, uid: ownerPod.uid, blockOwnerDeletion: false }],
    },
    spec: {
      nodeName,
      hostNetwork: false,
      restartPolicy: 'Never',
      activeDeadlineSeconds: checkPodDeadlineSeconds(order),
      automountServiceAccountToken: false,
      terminationGracePeriodSeconds: 0,
      tolerations: [{ operator: 'Exists' }],
      containers: [
        {
          name: CHECK_CONTAINER_NAME,
          image,
          command: ['/bin/sh', '-c', CHECK_SCRIPT],
          env: checkPodEnv(order),
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
        },
      ],
    },
  };
}
