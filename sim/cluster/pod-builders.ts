/**
 * Pure builders of the pods the simulated controllers create, shaped like the real controllers' pods
 * (owner references, revision labels, daemon tolerations and node affinity).
 */
import type {
  V1DaemonSet,
  V1ObjectMeta,
  V1OwnerReference,
  V1Pod,
  V1PodSpec,
  V1PodTemplateSpec,
  V1ReplicaSet,
} from '@kubernetes/client-node';
import { REVISION_HASH_LABEL, TEMPLATE_GENERATION_LABEL } from './daemonset-plan.js';
import { DAEMON_POD_TOLERATIONS } from './placement.js';

export function controllerRef(kind: 'DaemonSet' | 'ReplicaSet' | 'Deployment', meta: V1ObjectMeta): V1OwnerReference {
  return { apiVersion: 'apps/v1', kind, name: meta.name ?? '', uid: meta.uid ?? '', controller: true, blockOwnerDeletion: true };
}

interface PodParts {
  owner: V1ObjectMeta;
  kind: 'DaemonSet' | 'ReplicaSet';
  suffix: string;
  extraLabels: Record<string, string>;
  spec: (template: V1PodSpec) => V1PodSpec;
}

function podFromTemplate(template: V1PodTemplateSpec | undefined, parts: PodParts): V1Pod {
  const { metadata: tmeta = {}, spec = { containers: [] } } = template ?? {};
  const { name: ownerName = '', namespace = 'default' } = parts.owner;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${ownerName}-${parts.suffix}`,
      generateName: `${ownerName}-`,
      namespace,
      labels: { ...tmeta.labels, ...parts.extraLabels },
      annotations: { ...tmeta.annotations },
      ownerReferences: [controllerRef(parts.kind, parts.owner)],
    },
    spec: parts.spec(structuredClone(spec)),
  };
}

/** A daemon pod for one node, pinned there by nodeName and a matchFields affinity. */
export function buildDaemonPod(ds: V1DaemonSet, opts: { node: string; suffix: string; hash: string }): V1Pod {
  return podFromTemplate(ds.spec?.template, {
    owner: ds.metadata ?? {},
    kind: 'DaemonSet',
    suffix: opts.suffix,
    extraLabels: { [REVISION_HASH_LABEL]: opts.hash, [TEMPLATE_GENERATION_LABEL]: String(ds.metadata?.generation ?? 1) },
    spec: (spec) => ({
      ...spec,
      nodeName: opts.node,
      tolerations: [...(spec.tolerations ?? []), ...DAEMON_POD_TOLERATIONS],
      affinity: {
        ...spec.affinity,
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [opts.node] }] }],
          },
        },
      },
    }),
  });
}

/** A replica pod of a ReplicaSet, bound to a node when the scheduler already chose one. */
export function buildReplicaPod(rs: V1ReplicaSet, opts: { suffix: string; node: string | undefined }): V1Pod {
  return podFromTemplate(rs.spec?.template, {
    owner: rs.metadata ?? {},
    kind: 'ReplicaSet',
    suffix: opts.suffix,
    extraLabels: {},
    spec: (spec) => (opts.node ? { ...spec, nodeName: opts.node } : spec),
  });
}
