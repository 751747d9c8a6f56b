/**
 * The RBAC in deploy/ is what the code calls: the demo runs the runbook on the simulated cluster (every node
 * forward, a rollback, a pre-flight halt, the stages after the rollout for both Calico install methods) with
 * the real coordinator and agents under deploy/'s ServiceAccounts, the simulated API server records every
 * call, and the rendered RBAC (`kubectl kustomize deploy/`) must allow each call and grant nothing unused.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { readDeployFile, renderDeploy, ruleComments, type K8sObject } from './support/manifests.js';
import { allows, deniedCalls, describeCall, grantsOf, unusedPermissions, type ApiCall } from './support/rbac-check.js';
import { recordedBy, serviceAccountUser, type Recorded } from './support/recorded-calls.js';
import { coordinatorConfigSpec } from '../../shared/config.js';
import type { DemoResult } from '../../sim/demo/demo-io.js';
import { expectOk, FAST_DEADLINES, runRollout } from '../e2e/support.js';
import { callsOutsideTheDemo } from './support/paths-outside-the-demo.js';
import type { ApiCallRecord } from '../../sim/apiserver/index.js';

const NS = 'cni-migrate';
const COMPONENTS = {
  coordinator: 'cni-migrate-coordinator',
  agent: coordinatorConfigSpec.agentServiceAccount.schema.parse(undefined),
} as const;

/** A demo run's calls; a run that did not end as its scenario expects took other paths than it claims. */
const demo = async (run: Promise<DemoResult>): Promise<ApiCallRecord[]> => {
  const r = await run;
  expectOk(r);
  return r.apiCalls ?? [];
};

/** The runs that between them take every path: each records its calls. */
const RUNS: [string, () => Promise<ApiCallRecord[]>][] = [
  ['the whole runbook: Calico by manifest, Cilium by Helm', () => demo(runRollout({ nodes: 3, concurrency: 3, full: true, calicoInstall: 'manifest' }))],
  [
    'the whole runbook: Calico by the operator, Cilium without Helm (cni-migrate patches cilium-config)',
    () => demo(runRollout({ nodes: 3, concurrency: 3, full: true, calicoInstall: 'operator', ciliumInstall: 'manifest' })),
  ],
  ['a failed validation, the node rolled back and migrated again', () => demo(runRollout({ nodes: 3, scenario: 'dns-broken-on-node', then: 'rollback' }))],
  ['a pre-flight halt on a PodDisruptionBudget, then the retry', () => demo(runRollout({ nodes: 3, scenario: 'pdb-blocked', then: 'retry' }, { coordinator: FAST_DEADLINES }))],
  ['the paths the demo does not take', callsOutsideTheDemo],
];

let objects: K8sObject[] = [];
let runs: ApiCallRecord[] = [];
beforeAll(async () => {
  objects = await renderDeploy();
  runs = [];
  for (const [, run] of RUNS) runs.push(...(await run()));
}, 600_000);

describe.each(Object.entries(COMPONENTS))('the %s ServiceAccount', (_component, name) => {
  const grants = () => grantsOf(objects, { namespace: NS, name });
  const recorded = (): Recorded => recordedBy(runs, serviceAccountUser(NS, name));

  it('when the runs are read, then it made calls (the recording saw it)', () => {
    expect(recorded().calls.length).toBeGreaterThan(0);
  });

  it('when the simulated API server authorized its calls, then it refused none', () => {
    expect([...new Set(recorded().refused.map(describeCall))]).toEqual([]);
  });

  it('when each recorded call is held against the rendered RBAC, then the RBAC allows it', () => {
    expect(deniedCalls(grants(), recorded().calls)).toEqual([]);
  });

  it('when each granted permission is held against the recorded calls, then a call used it (least privilege)', () => {
    expect(unusedPermissions(grants(), recorded().calls)).toEqual([]);
  });

  it('when the rules are read, then none uses a wildcard or non-resource URLs', () => {
    for (const { rule } of grants()) {
      expect([...rule.apiGroups, ...rule.resources, ...rule.verbs, ...(rule.resourceNames ?? [])]).not.toContain('*');
      expect(rule.nonResourceURLs).toBeUndefined();
    }
  });
});

describe('the checker itself', () => {
  const coordinator = () => grantsOf(objects, { namespace: NS, name: COMPONENTS.coordinator });
  const agent = () => grantsOf(objects, { namespace: NS, name: COMPONENTS.agent });
  const call = (c: Partial<ApiCall> & Pick<ApiCall, 'resource'>): ApiCall => ({ apiGroup: '', verb: 'get', ...c });

  it.each([
    ['the coordinator deleting a workload pod outside kube-system', 'coordinator', call({ resource: 'pods', namespace: 'apps', verb: 'delete', resourceName: 'web-1' })],
    ['the coordinator reading secrets', 'coordinator', call({ resource: 'secrets', namespace: 'kube-system' })],
    ['the coordinator reading another configmap in kube-system', 'coordinator', call({ resource: 'configmaps', namespace: 'kube-system', resourceName: 'kube-proxy' })],
    ['the coordinator patching another DaemonSet', 'coordinator', call({ apiGroup: 'apps', resource: 'daemonsets', namespace: 'kube-system', resourceName: 'calico-node', verb: 'patch' })],
    ['the coordinator creating a Lease outside its namespace', 'coordinator', call({ apiGroup: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-system', verb: 'create' })],
    ['the agent patching nodes', 'agent', call({ resource: 'nodes', verb: 'patch', resourceName: 'n1' })],
    ['the agent creating pods in kube-system', 'agent', call({ resource: 'pods', namespace: 'kube-system', verb: 'create' })],
    ['the agent watching the Cilium pods (the coordinator watches them)', 'agent', call({ resource: 'pods', namespace: 'kube-system', verb: 'watch' })],
    ['the agent evicting pods', 'agent', call({ resource: 'pods/eviction', namespace: NS, verb: 'create', resourceName: 'p' })],
  ])('when %s is asked, then it is denied', (_what, who, c) => {
    expect(allows(who === 'agent' ? agent() : coordinator(), c)).toBe(false);
  });

  it('when a call is allowed in one namespace only, then the same call cluster-wide is denied', () => {
    const lease = call({ apiGroup: 'coordination.k8s.io', resource: 'leases', namespace: NS, verb: 'update', resourceName: 'cni-migrate-leader' });
    expect(allows(coordinator(), lease)).toBe(true);
    expect(allows(coordinator(), { ...lease, namespace: undefined })).toBe(false);
  });

  it('when a permission is used by no call, then it is reported as unused', () => {
    const calls = recordedBy(runs, serviceAccountUser(NS, COMPONENTS.agent)).calls.filter((c) => c.resource !== 'endpoints');
    expect(unusedPermissions(agent(), calls)).toEqual(['Role/cni-migrate-agent: get core/endpoints in cni-migrate']);
  });
});

describe('the RBAC files', () => {
  it.each(['rbac-coordinator.yaml', 'rbac-agent.yaml'])('when %s is read, then every rule says which step uses it', (file) => {
    const comments = ruleComments(readDeployFile(file));
    expect(comments.length).toBeGreaterThan(0);
    expect(comments.filter((c) => c.comment.length < 10)).toEqual([]);
  });
});
