import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { z } from 'zod';
import { readDeployFile } from './support/manifests.js';
import {
  CILIUM_MIGRATION_LABEL,
  CILIUM_MIGRATION_LABEL_VALUE,
  CILIUM_NAMESPACE,
  CILIUM_NODE_CONFIG_NAME,
} from '../../shared/names.js';

const CILIUM_POD_CIDR = '10.245.0.0/16';

const yamlOf = (file: string): unknown => parse(readDeployFile(file));
const kustomization = z.looseObject({ resources: z.array(z.string()) });

describe('the Cilium Helm values', () => {
  it('when values-migration.yaml is read, then Cilium installs beside Calico without taking any node', () => {
    expect(yamlOf('cilium/values-migration.yaml')).toMatchObject({
      cni: { customConf: true, uninstall: false },
      ipam: { mode: 'cluster-pool', operator: { clusterPoolIPv4PodCIDRList: [CILIUM_POD_CIDR] } },
      policyEnforcementMode: 'never',
      bpf: { hostLegacyRouting: true },
      tunnelPort: 8473,
      operator: { unmanagedPodWatcher: { restart: false } },
    });
  });

  it('when values-final.yaml is read, then Cilium owns the CNI, enforces policy, and keeps IPAM and tunnel', () => {
    expect(yamlOf('cilium/values-final.yaml')).toMatchObject({
      cni: { customConf: false },
      ipam: { mode: 'cluster-pool', operator: { clusterPoolIPv4PodCIDRList: [CILIUM_POD_CIDR] } },
      policyEnforcementMode: 'default',
      bpf: { hostLegacyRouting: false },
      tunnelPort: 8473,
      operator: { unmanagedPodWatcher: { restart: true } },
    });
  });

  it('when both values files are compared, then only the four promotion values differ', () => {
    const flat = (v: unknown, prefix = ''): [string, unknown][] =>
      v && typeof v === 'object' && !Array.isArray(v)
        ? Object.entries(v).flatMap(([k, x]) => flat(x, `${prefix}${k}.`))
        : [[prefix.slice(0, -1), v]];
    const before = Object.fromEntries(flat(yamlOf('cilium/values-migration.yaml')));
    const after = Object.fromEntries(flat(yamlOf('cilium/values-final.yaml')));
    const changed = Object.keys({ ...before, ...after }).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
    expect(changed.sort()).toEqual([
      'bpf.hostLegacyRouting',
      'cni.customConf',
      'operator.unmanagedPodWatcher.restart',
      'policyEnforcementMode',
    ]);
  });
});

describe('the CiliumNodeConfig', () => {
  it('when read, then it selects labeled nodes and makes Cilium write its CNI config exclusively', () => {
    expect(yamlOf('cilium/ciliumnodeconfig.yaml')).toEqual({
      apiVersion: 'cilium.io/v2alpha1',
      kind: 'CiliumNodeConfig',
      metadata: { namespace: CILIUM_NAMESPACE, name: CILIUM_NODE_CONFIG_NAME },
      spec: {
        nodeSelector: { matchLabels: { [CILIUM_MIGRATION_LABEL]: CILIUM_MIGRATION_LABEL_VALUE } },
        defaults: {
          'write-cni-conf-when-ready': '/host/etc/cni/net.d/05-cilium.conflist',
          'custom-cni-conf': 'false',
          'cni-chaining-mode': 'none',
          'cni-exclusive': 'true',
        },
      },
    });
  });

  it('when read, then its comment explains that cilium.io/v2 is served from 1.16', () => {
    expect(readDeployFile('cilium/ciliumnodeconfig.yaml')).toMatch(/cilium\.io\/v2 is served from\s+(# )?Cilium 1\.16/);
  });

  it('when the kustomization is read, then the Cilium files are not part of it', () => {
    const k = kustomization.parse(yamlOf('kustomization.yaml'));
    expect(k.resources.filter((r) => r.startsWith('cilium'))).toEqual([]);
  });
});
