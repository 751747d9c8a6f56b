/**
 * Calico's facts from its objects: how it was installed, its IPPools, Felix's settings, BGP, address
 * autodetection, MTU and the policies Cilium will not enforce. Pure.
 */
import type { V1Container, V1DaemonSet } from '@kubernetes/client-node';
import { z } from 'zod';
import type {
  AutodetectionFacts,
  BgpFacts,
  CalicoFacts,
  CalicoInstallMethod,
  CalicoPolicyFacts,
  FelixFacts,
  IpPoolFacts,
} from './model.js';
import type { RawClusterObjects, RawObject } from './raw.js';

const Mode = z.enum(['Never', 'Always', 'CrossSubnet']).catch('Never');
const Meta = z.looseObject({ name: z.string().catch(''), namespace: z.string().optional().catch(undefined) }).catch({ name: '' });

const IpPoolSchema = z.looseObject({
  metadata: Meta,
  spec: z
    .looseObject({
      cidr: z.string().catch(''),
      vxlanMode: Mode.optional(),
      ipipMode: Mode.optional(),
      natOutgoing: z.boolean().catch(false).optional(),
      blockSize: z.number().int().optional().catch(undefined),
      disabled: z.boolean().catch(false).optional(),
    })
    .catch({ cidr: '' }),
});

const FelixSchema = z.looseObject({
  metadata: Meta,
  spec: z
    .looseObject({
      vxlanPort: z.number().int().optional().catch(undefined),
      vxlanVNI: z.number().int().optional().catch(undefined),
      vxlanMTU: z.number().int().optional().catch(undefined),
      iptablesBackend: z.string().optional().catch(undefined),
      nftablesMode: z.string().optional().catch(undefined),
      bpfEnabled: z.boolean().optional().catch(undefined),
    })
    .catch({}),
});

const BgpPeerSchema = z.looseObject({
  metadata: Meta,
  spec: z.looseObject({ peerIP: z.string().catch(''), asNumber: z.number().int().optional().catch(undefined) }).catch({ peerIP: '' }),
});

const AutodetectionSchema = z.looseObject({
  firstFound: z.boolean().optional().catch(undefined),
  kubernetes: z.string().optional().catch(undefined),
  interface: z.string().optional().catch(undefined),
  skipInterface: z.string().optional().catch(undefined),
  canReach: z.string().optional().catch(undefined),
  cidrs: z.array(z.string()).optional().catch(undefined),
});

const InstallationSchema = z.looseObject({
  spec: z
    .looseObject({
      calicoNetwork: z
        .looseObject({
          bgp: z.string().optional().catch(undefined),
          mtu: z.number().int().optional().catch(undefined),
          nodeAddressAutodetectionV4: AutodetectionSchema.optional().catch(undefined),
        })
        .optional()
        .catch(undefined),
    })
    .catch({}),
});
type Installation = z.infer<typeof InstallationSchema>;

/** Felix's defaults for the fields pre-flight reads. */
export const FELIX_DEFAULTS = { vxlanPort: 4789, vxlanVNI: 4096, iptablesBackend: 'Auto', nftablesMode: 'Disabled' } as const;

const POLICY_KINDS = new Set(['NetworkPolicy', 'GlobalNetworkPolicy', 'NetworkSet', 'GlobalNetworkSet', 'HostEndpoint', 'StagedNetworkPolicy', 'StagedGlobalNetworkPolicy']);

function ipPool(raw: RawObject): IpPoolFacts {
  const p = IpPoolSchema.parse(raw);
  return {
    name: p.metadata.name,
    cidr: p.spec.cidr,
    vxlanMode: p.spec.vxlanMode ?? 'Never',
    ipipMode: p.spec.ipipMode ?? 'Never',
    natOutgoing: p.spec.natOutgoing ?? false,
    blockSize: p.spec.blockSize,
    disabled: p.spec.disabled ?? false,
  };
}

function felix(configs: readonly RawObject[]): FelixFacts {
  const found = configs.map((c) => FelixSchema.parse(c)).find((c) => c.metadata.name === 'default');
  const s = found?.spec ?? {};
  return {
    found: found !== undefined,
    vxlanPort: s.vxlanPort ?? FELIX_DEFAULTS.vxlanPort,
    vxlanVNI: s.vxlanVNI ?? FELIX_DEFAULTS.vxlanVNI,
    vxlanMTU: s.vxlanMTU,
    iptablesBackend: s.iptablesBackend ?? FELIX_DEFAULTS.iptablesBackend,
    nftablesMode: s.nftablesMode ?? FELIX_DEFAULTS.nftablesMode,
    bpfEnabled: s.bpfEnabled ?? false,
  };
}

function installMethod(raw: RawClusterObjects): { install: CalicoInstallMethod; evidence: string[] } {
  const operator = [
    raw.installation ? 'Installation default' : '',
    raw.tigeraOperator ? 'Deployment tigera-operator/tigera-operator' : '',
    raw.calicoSystemNamespace ? 'namespace calico-system' : '',
  ].filter(Boolean);
  if (raw.installation) return { install: 'operator', evidence: operator };
  const manifest = [
    manifestNode(raw) ? 'DaemonSet kube-system/calico-node' : '',
    raw.calicoConfig ? 'ConfigMap kube-system/calico-config' : '',
  ].filter(Boolean);
  if (manifest.length > 0) return { install: 'manifest', evidence: manifest };
  return { install: operator.length > 0 ? 'operator' : 'absent', evidence: operator };
}

const manifestNode = (raw: RawClusterObjects): V1DaemonSet | undefined =>
  raw.calicoNodes.find((d) => d.metadata?.namespace === 'kube-system');

function calicoNodeContainer(raw: RawClusterObjects): V1Container | undefined {
  const ds = manifestNode(raw) ?? raw.calicoNodes[0];
  return ds?.spec?.template.spec?.containers.find((c) => c.name === 'calico-node');
}

const envOf = (c: V1Container | undefined, name: string): string | undefined => c?.env?.find((e) => e.name === name)?.value;

function installationOf(raw: RawClusterObjects): Installation | undefined {
  return raw.installation ? InstallationSchema.parse(raw.installation) : undefined;
}

/** The autodetection method of an operator install (`nodeAddressAutodetectionV4`; unset means firstFound). */
function operatorAutodetection(inst: Installation): AutodetectionFacts {
  const a = inst.spec.calicoNetwork?.nodeAddressAutodetectionV4;
  const source = 'Installation default spec.calicoNetwork.nodeAddressAutodetectionV4';
  if (!a) return { method: 'firstFound', source: 'default (Installation sets no nodeAddressAutodetectionV4)' };
  if (a.kubernetes === 'NodeInternalIP') return { method: 'kubernetes-internal-ip', source };
  if (a.interface) return { method: `interface=${a.interface}`, source };
  if (a.skipInterface) return { method: `skip-interface=${a.skipInterface}`, source };
  if (a.canReach) return { method: `can-reach=${a.canReach}`, source };
  if (a.cidrs?.length) return { method: `cidrs=${a.cidrs.join(',')}`, source };
  return { method: 'firstFound', source };
}

/** The autodetection method of a manifest install (calico-node's IP_AUTODETECTION_METHOD; unset means first-found). */
function manifestAutodetection(raw: RawClusterObjects): AutodetectionFacts {
  const value = envOf(calicoNodeContainer(raw), 'IP_AUTODETECTION_METHOD');
  if (value === undefined) return { method: 'firstFound', source: 'default (calico-node sets no IP_AUTODETECTION_METHOD)' };
  const method = value === 'first-found' ? 'firstFound' : value;
  return { method, source: 'calico-node env IP_AUTODETECTION_METHOD' };
}

function bgp(raw: RawClusterObjects, backend: string | undefined, inst: Installation | undefined): BgpFacts {
  const peers = raw.bgpPeers.map((p) => BgpPeerSchema.parse(p)).map((p) => ({ name: p.metadata.name, peerIP: p.spec.peerIP, asNumber: p.spec.asNumber }));
  if (inst) {
    const set = inst.spec.calicoNetwork?.bgp;
    return { enabled: (set ?? 'Enabled') === 'Enabled', source: set ? 'Installation default spec.calicoNetwork.bgp' : 'default (Installation sets no bgp: Enabled)', peers };
  }
  return { enabled: backend === 'bird', source: backend ? `calico_backend ${backend}` : 'no calico_backend found', peers };
}

function mtu(f: FelixFacts, raw: RawClusterObjects, inst: Installation | undefined): CalicoFacts['mtu'] {
  if (f.vxlanMTU !== undefined) return { value: f.vxlanMTU, source: 'FelixConfiguration default vxlanMTU' };
  const veth = Number(raw.calicoConfig?.data?.['veth_mtu']);
  if (Number.isInteger(veth) && veth > 0) return { value: veth, source: 'ConfigMap calico-config veth_mtu' };
  const fromInstallation = inst?.spec.calicoNetwork?.mtu;
  return fromInstallation ? { value: fromInstallation, source: 'Installation default spec.calicoNetwork.mtu' } : undefined;
}

function policies(raw: RawClusterObjects): CalicoPolicyFacts[] {
  return raw.calicoPolicies
    .map((p) => ({ kind: typeof p['kind'] === 'string' ? p['kind'] : '', meta: Meta.parse(p['metadata']) }))
    .filter((p) => POLICY_KINDS.has(p.kind))
    .map((p) => ({ kind: p.kind, namespace: p.meta.namespace, name: p.meta.name }));
}

export function calicoFacts(raw: RawClusterObjects): CalicoFacts {
  const { install, evidence } = installMethod(raw);
  const inst = installationOf(raw);
  const backend = raw.calicoConfig?.data?.['calico_backend'] ?? envOf(calicoNodeContainer(raw), 'CALICO_NETWORKING_BACKEND');
  const f = felix(raw.felixConfigurations);
  return {
    install,
    installEvidence: evidence,
    backend,
    ipPools: raw.ipPools.map(ipPool),
    felix: f,
    bgp: bgp(raw, backend, inst),
    autodetection: inst ? operatorAutodetection(inst) : manifestAutodetection(raw),
    mtu: mtu(f, raw, inst),
    policies: policies(raw),
  };
}
