/**
 * `cni-migrate values --stage migration` on a Calico cluster without Cilium, installed into the simulated
 * cluster (`npm run demo -- --cilium-values FILE` renders cilium-config from it as the chart does and records a
 * Helm release), and the demo then migrates every node on it: pre-flight passes, and every forward validation
 * expects the pool the values chose.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { buildCoordinatorProgram } from '../../coordinator/cli.js';
import { clusterReader } from '../../coordinator/kube/cluster-read.js';
import { startApiServer } from '../../sim/apiserver/index.js';
import { readCheckInput } from '../../sim/cluster/check-report.js';
import { ipInCidr } from '../../sim/cluster/network-model.js';
import { seedCluster } from '../../sim/cluster/seed/index.js';
import { expectOk, runRollout } from './support.js';

// Calico on the seed's usual Cilium pool: the values must choose another one.
const CALICO_POOL = '10.245.0.0/16';

/** `cni-migrate values --stage migration` against a seeded cluster that has Calico and no Cilium. */
async function generatedValues(): Promise<string> {
  const api = await startApiServer();
  try {
    await seedCluster(api.kubeConfig(), { withoutDemoWorkloads: true, breaks: ['cilium-absent'], calicoPool: CALICO_POOL });
    let out = '';
    const program = buildCoordinatorProgram({}, {
      coordinator: () => Promise.resolve(),
      clusterRead: () => clusterReader(api.kubeConfig()),
      out: (t) => {
        out += t;
      },
    });
    await program.parseAsync(['node', 'cni-migrate', 'values', '--stage', 'migration']);
    return out;
  } finally {
    await api.close();
  }
}

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('end to end: Cilium installed with the generated migration values', () => {
  it('when the demo installs Cilium from `cni-migrate values --stage migration`, then pre-flight passes and every node is migrated and validated on the pool the values chose', async () => {
    const values = await generatedValues();
    expect(parse(values)).toMatchObject({
      cni: { customConf: true },
      tunnelPort: 8473,
      policyEnforcementMode: 'never',
      bpf: { hostLegacyRouting: true },
      ipam: { operator: { clusterPoolIPv4PodCIDRList: ['10.246.0.0/16'] } },
    });
    const dir = await mkdtemp(join(tmpdir(), 'cni-migrate-values-'));
    dirs.push(dir);
    const file = join(dir, 'values-migration.yaml');
    await writeFile(file, values);

    const expected: { cidr: string; podIP: string }[] = [];
    const onAgentNamespacePod = (pod: V1Pod): void => {
      const input = readCheckInput(pod);
      if (input && pod.status?.podIP) expected.push({ cidr: input.expectedCidr, podIP: pod.status.podIP });
    };
    const run = await runRollout({ nodes: 3, calicoPool: CALICO_POOL, ciliumValues: file }, { onAgentNamespacePod });
    expectOk(run);
    expect(run.summary).toMatchObject({ nodes: 3, migrated: 3, failed: 0, halted: null });
    expect(new Set(expected.map((e) => e.cidr))).toEqual(new Set(['10.246.0.0/16']));
    expect(expected.every((e) => ipInCidr(e.podIP, e.cidr))).toBe(true);
  });

  it('when the values file is not YAML values, then the demo refuses it in one line before starting anything', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cni-migrate-values-'));
    dirs.push(dir);
    const file = join(dir, 'broken.yaml');
    await writeFile(file, '- just\n- a list\n');
    await expect(runRollout({ nodes: 3, ciliumValues: file })).rejects.toThrow(`--cilium-values: ${file} is not a YAML mapping of Helm values`);
  });
});
