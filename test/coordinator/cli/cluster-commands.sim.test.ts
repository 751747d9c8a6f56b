/**
 * `cni-migrate preflight`, `plan` and `values` against the simulated cluster: the seed passes; each blocker
 * scenario exits 1 with its fix line; bad usage exits 2; the migration values install cleanly on a cluster
 * without Cilium and pre-flight then passes.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CoreV1Api } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { buildCoordinatorProgram } from '../../../coordinator/cli.js';
import { clusterReader } from '../../../coordinator/kube/cluster-read.js';
import { exitCodeFor } from '../../../shared/exit.js';
import { startApiServer, type SimApiServer } from '../../../sim/apiserver/index.js';
import { seedCluster, type SeedOptions } from '../../../sim/cluster/seed/index.js';
import { chartDefaults, mergeValues, renderCiliumConfig } from '../../../sim/cluster/seed/cilium-chart.js';

const servers: SimApiServer[] = [];
async function seeded(opts: SeedOptions): Promise<SimApiServer> {
  const api = await startApiServer();
  servers.push(api);
  await seedCluster(api.kubeConfig(), { withoutDemoWorkloads: true, ...opts });
  return api;
}

async function run(api: SimApiServer, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  const program = buildCoordinatorProgram({}, {
    coordinator: () => Promise.resolve(),
    clusterRead: () => clusterReader(api.kubeConfig()),
    out: (t) => {
      out += t;
    },
  });
  program.configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  try {
    await program.parseAsync(['node', 'cni-migrate', ...args]);
    return { code: 0, out, err: '' };
  } catch (e) {
    const { code, message } = exitCodeFor(e);
    return { code, out, err: message };
  }
}

let ready: SimApiServer;
beforeAll(async () => {
  ready = await seeded({});
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

describe('cni-migrate preflight and plan on the simulated cluster', () => {
  it('when the seeded cluster is checked, then pre-flight passes (exit 0) and names the Calico policies it will not enforce', async () => {
    const r = await run(ready, 'preflight');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Pre-flight PASSED: 0 blocker(s), 1 warning(s)');
    expect(r.out).toContain("Validation: migrated nodes' pods in 10.245.0.0/16, rolled-back nodes' pods in 10.244.0.0/16");
    expect(r.out).toContain('Helm release: kube-system/cilium revision 1 (deployed');
    const json = JSON.parse((await run(ready, 'preflight', '-o', 'json')).out) as { passed: boolean; cidrs: unknown };
    expect(json).toMatchObject({ passed: true, cidrs: { forward: '10.245.0.0/16', rollback: '10.244.0.0/16' } });
  });

  it('when the plan is asked, then it gives the order with reasons and an estimate from stated defaults', async () => {
    const r = await run(ready, 'plan', '-o', 'json');
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.out) as { nodes: unknown[]; estimate: { basis: string } };
    expect(plan.estimate.basis).toContain('defaults');
  });

  it.each<[SeedOptions['breaks'], string]>([
    [['cilium-absent'], 'Cilium is not installed'],
    [['cilium-not-secondary'], 'not in secondary (migration) mode'],
    [['nodeconfig-absent'], 'cilium-default does not exist'],
    [['nodeconfig-wrong-label'], 'not exactly io.cilium.migration/cilium-default=true'],
    [['cidr-overlap'], 'pod pools overlap'],
    [['tunnel-port-clash'], "Cilium's tunnel port 4789"],
    [['first-found'], 'autodetection is firstFound'],
    [['mtu-mismatch'], 'pod MTU differs'],
  ])('when the cluster carries %j, then pre-flight exits 1 with the blocker and its fix', async (breaks, message) => {
    const r = await run(await seeded({ breaks }), 'preflight');
    expect(r.code).toBe(1);
    expect(r.out).toContain(message);
    expect(r.out).toMatch(/BLOCKER .*\n\s+fix: \S/);
    expect(r.err).toMatch(/^pre-flight found \d blocker\(s\)/);
  });

  it.each([
    [['values'], "required option '--stage <stage>' not specified"],
    [['values', '--stage', 'later'], 'invalid'],
    [['preflight', '-o', 'yaml'], 'invalid'],
  ])('when called as %j, then it is bad usage (exit 2)', async (args) => {
    expect((await run(ready, ...args)).code).toBe(2);
  });
});

describe('cni-migrate values', () => {
  it('when the migration values are installed on a cluster without Cilium, then pre-flight passes on it', async () => {
    const api = await seeded({ breaks: ['cilium-absent'], calicoPool: '192.168.0.0/16' });
    const values = (await run(api, 'values', '--stage', 'migration')).out;
    const parsed = parse(values) as Record<string, unknown>;
    const data = renderCiliumConfig(mergeValues(chartDefaults(), parsed));
    await api.kubeConfig().makeApiClient(CoreV1Api).createNamespacedConfigMap({ namespace: 'kube-system', body: { metadata: { name: 'cilium-config', namespace: 'kube-system' }, data } });
    await seedCluster(api.kubeConfig(), { withoutDemoWorkloads: true, calicoPool: '192.168.0.0/16' });
    const r = await run(api, 'preflight');
    expect(r.out).toContain('Pre-flight PASSED');
    expect(r.out).toContain("rolled-back nodes' pods in 192.168.0.0/16");
  });

  it('when the final values are asked of a Helm-installed Cilium, then they are its user values with the four promotion changes', async () => {
    const final = parse((await run(ready, 'values', '--stage', 'final')).out) as Record<string, unknown>;
    expect(final).toMatchObject({
      cni: { customConf: false },
      policyEnforcementMode: 'default',
      bpf: { hostLegacyRouting: false },
      operator: { unmanagedPodWatcher: { restart: true } },
      tunnelPort: 8473,
      ipam: { operator: { clusterPoolIPv4PodCIDRList: ['10.245.0.0/16'] } },
    });
  });
});
