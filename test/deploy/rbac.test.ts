import { beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { loadDeployYaml, readDeployFile, renderDeploy, ruleComments, type K8sObject } from './support/manifests.js';
import {
  RbacRequirementsSchema,
  allows,
  grantsOf,
  missingPermissions,
  unjustifiedPermissions,
  type ApiCall,
} from './support/rbac-check.js';
import { coordinatorConfigSpec } from '../../shared/config.js';

const requirements = loadDeployYaml('rbac-requirements.yaml', RbacRequirementsSchema);
const components = Object.entries(requirements);

let objects: K8sObject[] = [];
beforeAll(async () => {
  objects = await renderDeploy();
});

const call = (c: Partial<ApiCall> & Pick<ApiCall, 'resource'>): ApiCall => ({
  apiGroup: '',
  verbs: ['get'],
  step: 'test',
  ...c,
});

describe('the RBAC requirements list', () => {
  it('when read, then it names both components and their ServiceAccounts', () => {
    expect(Object.keys(requirements).sort()).toEqual(['agent', 'coordinator']);
    // The coordinator accepts agent tokens of exactly one ServiceAccount (its config default).
    expect(requirements.agent?.serviceAccount).toBe(coordinatorConfigSpec.agentServiceAccount.schema.parse(undefined));
    expect(requirements.coordinator?.serviceAccount).toBe('cni-migrate-coordinator');
  });
});

describe.each(components)('the %s ServiceAccount', (_name, req) => {
  const grants = () => grantsOf(objects, { namespace: req.namespace, name: req.serviceAccount });

  it('when rendered, then the ServiceAccount exists in the tool namespace', () => {
    const sa = objects.find((o) => o.kind === 'ServiceAccount' && o.metadata.name === req.serviceAccount);
    expect(sa?.metadata.namespace).toBe(req.namespace);
  });

  it('when each listed API call is checked, then the rendered RBAC allows it', () => {
    expect(missingPermissions(grants(), req.calls)).toEqual([]);
  });

  it('when each granted permission is checked, then a listed API call needs it (least privilege)', () => {
    expect(unjustifiedPermissions(grants(), req.calls)).toEqual([]);
  });

  it('when the rules are read, then none uses a wildcard or non-resource URLs', () => {
    for (const { rule } of grants()) {
      expect([...rule.apiGroups, ...rule.resources, ...rule.verbs, ...(rule.resourceNames ?? [])]).not.toContain('*');
      expect(rule.nonResourceURLs).toBeUndefined();
    }
  });
});

describe('the checker itself', () => {
  const coordinator = () => grantsOf(objects, { namespace: 'cni-migrate', name: 'cni-migrate-coordinator' });
  const agent = () => grantsOf(objects, { namespace: 'cni-migrate', name: 'cni-migrate-agent' });

  it.each([
    ['the coordinator deleting a workload pod outside kube-system', 'coordinator', call({ resource: 'pods', namespace: 'apps' }), 'delete'],
    ['the coordinator reading secrets', 'coordinator', call({ resource: 'secrets', namespace: 'kube-system' }), 'get'],
    ['the coordinator reading another configmap in kube-system', 'coordinator', call({ resource: 'configmaps', namespace: 'kube-system', resourceName: 'kube-proxy' }), 'get'],
    ['the coordinator patching another DaemonSet', 'coordinator', call({ apiGroup: 'apps', resource: 'daemonsets', namespace: 'kube-system', resourceName: 'calico-node' }), 'patch'],
    ['the coordinator creating a Lease outside its namespace', 'coordinator', call({ apiGroup: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-system' }), 'create'],
    ['the agent patching nodes', 'agent', call({ resource: 'nodes' }), 'patch'],
    ['the agent creating pods in kube-system', 'agent', call({ resource: 'pods', namespace: 'kube-system' }), 'create'],
    ['the agent reading another Lease', 'agent', call({ apiGroup: 'coordination.k8s.io', resource: 'leases', namespace: 'cni-migrate', resourceName: 'cni-migrate-slot-0' }), 'get'],
    ['the agent evicting pods', 'agent', call({ resource: 'pods/eviction', namespace: 'cni-migrate' }), 'create'],
  ])('when %s is asked, then it is denied', (_what, who, c, verb) => {
    expect(allows(who === 'agent' ? agent() : coordinator(), c, verb)).toBe(false);
  });

  it('when a call is allowed in one namespace only, then the same call cluster-wide is denied', () => {
    const lease = call({ apiGroup: 'coordination.k8s.io', resource: 'leases', namespace: 'cni-migrate' });
    expect(allows(coordinator(), lease, 'update')).toBe(true);
    expect(allows(coordinator(), { ...lease, namespace: undefined }, 'update')).toBe(false);
  });

  it('when a permission is not listed, then it is reported as excess', () => {
    const reqs = requirements.agent?.calls ?? [];
    const withoutLog = reqs.filter((c) => c.resource !== 'pods/log');
    expect(unjustifiedPermissions(agent(), withoutLog)).toEqual(['Role/cni-migrate-agent: get core/pods/log in cni-migrate']);
  });
});

describe('the RBAC files', () => {
  it.each(['rbac-coordinator.yaml', 'rbac-agent.yaml'])('when %s is read, then every rule says which step uses it', (file) => {
    const comments = ruleComments(readDeployFile(file));
    expect(comments.length).toBeGreaterThan(0);
    expect(comments.filter((c) => c.comment.length < 10)).toEqual([]);
  });

  it('when the requirements list is read, then every call names its step', () => {
    const raw: unknown = parse(readDeployFile('rbac-requirements.yaml'));
    expect(RbacRequirementsSchema.safeParse(raw).success).toBe(true);
    for (const [, req] of components) expect(req.calls.filter((c) => c.step.length <= 10)).toEqual([]);
  });
});
