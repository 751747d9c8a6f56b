/**
 * A small RBAC authorizer over rendered manifests, with Kubernetes' rules: a ClusterRoleBinding grants its
 * ClusterRole everywhere; a RoleBinding grants its Role (or a ClusterRole) in its own namespace only; a rule
 * with resourceNames matches only calls that name one of them.
 */
import { z } from 'zod';
import type { K8sObject } from './manifests.js';

export const ApiCallSchema = z.strictObject({
  apiGroup: z.string(),
  resource: z.string().min(1),
  verbs: z.array(z.string().min(1)).min(1),
  namespace: z.string().optional(),
  resourceName: z.string().optional(),
  step: z.string().min(1),
});
export type ApiCall = z.infer<typeof ApiCallSchema>;

export const RbacRequirementsSchema = z.record(
  z.string(),
  z.strictObject({ serviceAccount: z.string(), namespace: z.string(), calls: z.array(ApiCallSchema).min(1) }),
);

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

function ruleMatches(rule: Rule, call: ApiCall, verb: string): boolean {
  if (!has(rule.apiGroups, call.apiGroup) || !has(rule.resources, call.resource) || !has(rule.verbs, verb)) {
    return false;
  }
  if (rule.resourceNames === undefined || rule.resourceNames.length === 0) return true;
  return call.resourceName !== undefined && rule.resourceNames.includes(call.resourceName);
}

/** Whether the grants allow `verb` of the call in the call's scope. */
export function allows(grants: readonly Grant[], call: ApiCall, verb: string): boolean {
  return grants.some(
    (g) => (g.namespace === undefined || g.namespace === call.namespace) && ruleMatches(g.rule, call, verb),
  );
}

/** The verbs of each call that the grants do not allow, as readable lines. */
export function missingPermissions(grants: readonly Grant[], calls: readonly ApiCall[]): string[] {
  return calls.flatMap((c) =>
    c.verbs
      .filter((v) => !allows(grants, c, v))
      .map((v) => `${v} ${c.apiGroup || 'core'}/${c.resource} in ${c.namespace ?? 'cluster'} (${c.step})`),
  );
}

interface Permission {
  group: string;
  resource: string;
  verb: string;
}

function justified(g: Grant, { group, resource, verb }: Permission, calls: readonly ApiCall[]): boolean {
  return calls.some(
    (c) =>
      c.apiGroup === group &&
      c.resource === resource &&
      c.verbs.includes(verb) &&
      c.namespace === g.namespace &&
      (g.rule.resourceNames === undefined
        ? c.resourceName === undefined
        : c.resourceName !== undefined && g.rule.resourceNames.includes(c.resourceName)),
  );
}

/** Each (group, resource, verb) a grant gives that no listed call needs in that scope: excess privilege. */
export function unjustifiedPermissions(grants: readonly Grant[], calls: readonly ApiCall[]): string[] {
  const out: string[] = [];
  for (const g of grants) {
    for (const group of g.rule.apiGroups) {
      for (const resource of g.rule.resources) {
        const extra = g.rule.verbs.filter((verb) => !justified(g, { group, resource, verb }, calls));
        out.push(...extra.map((v) => `${g.role}: ${v} ${group || 'core'}/${resource} in ${g.namespace ?? 'cluster'}`));
      }
    }
  }
  return out;
}
