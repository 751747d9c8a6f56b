/**
 * A small RBAC authorizer over rendered manifests, with Kubernetes' rules: a ClusterRoleBinding grants its
 * ClusterRole everywhere; a RoleBinding grants its Role (or a ClusterRole) in its own namespace only; a rule
 * with resourceNames matches only calls that name one of them. It holds the rendered RBAC against the API
 * calls the code was seen to make: every call must be allowed, and every permission must be used by a call.
 */
import { z } from 'zod';
import type { K8sObject } from './manifests.js';

/** One API call as RBAC sees it; `resource` is `pods/eviction` style for a subresource. */
export interface ApiCall {
  apiGroup: string;
  resource: string;
  verb: string;
  /** The namespace of the call; absent for a cluster-scoped object or a call across all namespaces. */
  namespace?: string | undefined;
  /** The object the call names (absent for list, watch of a collection, and create). */
  resourceName?: string | undefined;
}

const RuleSchema = z.looseObject({
  apiGroups: z.array(z.string()).default([]),
  resources: z.array(z.string()).default([]),
  verbs: z.array(z.string()),
  resourceNames: z.array(z.string()).optional(),
  nonResourceURLs: z.array(z.string()).optional(),
});
export type Rule = z.infer<typeof RuleSchema>;
const RoleSchema = z.looseObject({ rules: z.array(RuleSchema).default([]) });
const BindingSchema = z.looseObject({
  roleRef: z.looseObject({ kind: z.enum(['Role', 'ClusterRole']), name: z.string() }),
  subjects: z.array(z.looseObject({ kind: z.string(), name: z.string(), namespace: z.string().optional() })),
});

export interface Subject {
  namespace: string;
  name: string;
}

/** A rule as granted to a subject: `namespace` undefined means cluster-wide. */
export interface Grant {
  rule: Rule;
  namespace: string | undefined;
  role: string;
}

function roleRules(objects: readonly K8sObject[], kind: string, name: string, namespace?: string): Rule[] {
  const role = objects.find(
    (o) => o.kind === kind && o.metadata.name === name && (kind === 'ClusterRole' || o.metadata.namespace === namespace),
  );
  if (!role) throw new Error(`binding refers to a missing ${kind} ${namespace ?? ''}/${name}`);
  return RoleSchema.parse(role).rules;
}

/** Every rule the ServiceAccount holds, with the scope it holds it in. */
export function grantsOf(objects: readonly K8sObject[], sa: Subject): Grant[] {
  const grants: Grant[] = [];
  for (const o of objects.filter((x) => x.kind === 'ClusterRoleBinding' || x.kind === 'RoleBinding')) {
    const b = BindingSchema.parse(o);
    const bound = b.subjects.some((s) => s.kind === 'ServiceAccount' && s.name === sa.name && s.namespace === sa.namespace);
    if (!bound) continue;
    const scope = o.kind === 'ClusterRoleBinding' ? undefined : o.metadata.namespace;
    const rules = roleRules(objects, b.roleRef.kind, b.roleRef.name, o.metadata.namespace);
    grants.push(...rules.map((rule) => ({ rule, namespace: scope, role: `${b.roleRef.kind}/${b.roleRef.name}` })));
  }
  return grants;
}

const has = (list: readonly string[], v: string): boolean => list.includes(v) || list.includes('*');

function ruleMatches(rule: Rule, call: ApiCall): boolean {
  if (!has(rule.apiGroups, call.apiGroup) || !has(rule.resources, call.resource) || !has(rule.verbs, call.verb)) {
    return false;
  }
  if (rule.resourceNames === undefined || rule.resourceNames.length === 0) return true;
  return call.resourceName !== undefined && rule.resourceNames.includes(call.resourceName);
}

const inScope = (g: Grant, call: ApiCall): boolean => g.namespace === undefined || g.namespace === call.namespace;

/** Whether the grants allow the call in its scope. */
export function allows(grants: readonly Grant[], call: ApiCall): boolean {
  return grants.some((g) => inScope(g, call) && ruleMatches(g.rule, call));
}

export const describeCall = (c: ApiCall): string =>
  `${c.verb} ${c.apiGroup || 'core'}/${c.resource}${c.resourceName ? ` "${c.resourceName}"` : ''} in ${c.namespace ?? 'cluster'}`;

/** The calls the grants do not allow, as readable lines. */
export function deniedCalls(grants: readonly Grant[], calls: readonly ApiCall[]): string[] {
  return [...new Set(calls.filter((c) => !allows(grants, c)).map(describeCall))].sort();
}

/** One permission a rule gives: a group, resource and verb (and one of its resourceNames, when it has any). */
interface Permission {
  apiGroup: string;
  resource: string;
  verb: string;
  resourceName: string | undefined;
}

function permissionsOf(rule: Rule): Permission[] {
  const names = rule.resourceNames && rule.resourceNames.length > 0 ? rule.resourceNames : [undefined];
  return rule.apiGroups.flatMap((apiGroup) =>
    rule.resources.flatMap((resource) =>
      rule.verbs.flatMap((verb) => names.map((resourceName) => ({ apiGroup, resource, verb, resourceName }))),
    ),
  );
}

function used(g: Grant, p: Permission, calls: readonly ApiCall[]): boolean {
  return calls.some(
    (c) =>
      inScope(g, c) &&
      c.apiGroup === p.apiGroup &&
      c.resource === p.resource &&
      c.verb === p.verb &&
      (p.resourceName === undefined || c.resourceName === p.resourceName),
  );
}

/** Each permission a grant gives that no call used in its scope: excess privilege, as readable lines. */
export function unusedPermissions(grants: readonly Grant[], calls: readonly ApiCall[]): string[] {
  return grants.flatMap((g) =>
    permissionsOf(g.rule)
      .filter((p) => !used(g, p, calls))
      .map((p) => `${g.role}: ${describeCall({ ...p, namespace: g.namespace })}`),
  );
}
