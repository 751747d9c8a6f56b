/**
 * The cluster's own address space: Service CIDRs (kubeadm's ClusterConfiguration, else the `kubernetes`
 * Service's address as the one certain point), kubeadm's pod subnet, and each node's addresses. Pure.
 */
import type { V1Node } from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { NetworkFacts, NodeAddressFacts } from './model.js';
import type { RawClusterObjects } from './raw.js';

const ClusterConfigurationSchema = z.looseObject({
  networking: z
    .looseObject({ serviceSubnet: z.string().optional().catch(undefined), podSubnet: z.string().optional().catch(undefined) })
    .optional()
    .catch(undefined),
});

const splitList = (v: string | undefined): string[] => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);

function kubeadmNetworking(raw: RawClusterObjects): { serviceSubnet: string[]; podSubnet: string | undefined } {
  const text = raw.kubeadmConfig?.data?.['ClusterConfiguration'];
  if (!text) return { serviceSubnet: [], podSubnet: undefined };
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch {
    return { serviceSubnet: [], podSubnet: undefined };
  }
  const n = ClusterConfigurationSchema.safeParse(doc ?? {});
  const net = n.success ? n.data.networking : undefined;
  return { serviceSubnet: splitList(net?.serviceSubnet), podSubnet: splitList(net?.podSubnet)[0] };
}

function nodeAddresses(node: V1Node): NodeAddressFacts {
  return {
    name: node.metadata?.name ?? '',
    internalIPs: (node.status?.addresses ?? []).filter((a) => a.type === 'InternalIP').map((a) => a.address),
    podCIDRs: node.spec?.podCIDRs ?? (node.spec?.podCIDR ? [node.spec.podCIDR] : []),
  };
}

export function networkFacts(raw: RawClusterObjects): NetworkFacts {
  const kubeadm = kubeadmNetworking(raw);
  const apiServiceIP = raw.kubernetesService?.spec?.clusterIP;
  const fromService = apiServiceIP && apiServiceIP !== 'None' ? [`${apiServiceIP}/32`] : [];
  const [serviceCidrs, serviceCidrSource] =
    kubeadm.serviceSubnet.length > 0
      ? [kubeadm.serviceSubnet, 'ConfigMap kube-system/kubeadm-config networking.serviceSubnet']
      : [fromService, fromService.length > 0 ? 'Service default/kubernetes clusterIP (the range itself is not published)' : 'not found'];
  return {
    serviceCidrs,
    serviceCidrSource,
    podSubnet: kubeadm.podSubnet,
    nodes: raw.nodes.map(nodeAddresses),
  };
}
