/**
 * RBAC authorization from the Roles, ClusterRoles and bindings stored in the server. system:masters
 * bypasses it; discovery and version paths are open to everyone (like the default discovery roles).
 */
import type { UserInfo } from './auth.js';
import type { ApiContext } from './context.js';
import { arrAt, isObj, objAt, strAt, type Obj } from './json.js';
import { forbidden, qualified, type KubeStatusError } from './status.js';

export interface Attributes {
  verb: string;
  group: string;
  resource: string;
  subresource: string | undefined;
  name: string | undefined;
  namespace: string | undefined;
}

const strings = (o: Obj, key: string): string[] => arrAt(o, key).filter((x): x is string => typeof x === 'string');

function resourceMatches(rule: Obj, a: Attributes): boolean {
  const wanted = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const resources = strings(rule, 'resources');
  return resources.some((r) => r === '*' || r === wanted || (a.subresource !== undefined && r === `*/${a.subresource}`));
}

export function ruleAllows(rule: Obj, a: Attributes): boolean {
  const verbs = strings(rule, 'verbs');
  if (!verbs.includes('*') && !verbs.includes(a.verb)) return false;
  const groups = strings(rule, 'apiGroups');
  if (!groups.includes('*') && !groups.includes(a.group)) return false;
  if (!resourceMatches(rule, a)) return false;
  const names = strings(rule, 'resourceNames');
  return names.length === 0 || (a.name !== undefined && names.includes(a.name));
}

function subjectMatches(subject: unknown, user: UserInfo, bindingNs: string): boolean {
  if (!isObj(subject)) return false;
  const kind = strAt(subject, 'kind');
  const name = strAt(subject, 'name') ?? '';
  if (kind === 'User') return name === user.username;
  if (kind === 'Group') return user.groups.includes(name);
  if (kind !== 'ServiceAccount') return false;
  const ns = strAt(subject, 'namespace') ?? bindingNs;
  return user.username === `system:serviceaccount:${ns}:${name}`;
}

function rulesOfRef(ctx: ApiContext, ref: Obj, bindingNs: string): unknown[] {
  const name = strAt(ref, 'name') ?? '';
  const role = strAt(ref, 'kind') === 'ClusterRole'
    ? ctx.store.get('rbac.authorization.k8s.io/clusterroles', '', name)
    : ctx.store.get('rbac.authorization.k8s.io/roles', bindingNs, name);
  return role ? arrAt(role, 'rules') : [];
}

function bindingAllows(ctx: ApiContext, binding: Obj, user: UserInfo, a: Attributes): boolean {
  const ns = strAt(objAt(binding, 'metadata'), 'namespace') ?? '';
  if (!arrAt(binding, 'subjects').some((s) => subjectMatches(s, user, ns))) return false;
  return rulesOfRef(ctx, objAt(binding, 'roleRef'), ns).some((r) => isObj(r) && ruleAllows(r, a));
}

export function isAllowed(ctx: ApiContext, user: UserInfo, a: Attributes): boolean {
  if (user.groups.includes('system:masters')) return true;
  const cluster = ctx.store.list('rbac.authorization.k8s.io/clusterrolebindings');
  if (cluster.some((b) => bindingAllows(ctx, b, user, a))) return true;
  if (a.namespace === undefined) return false;
  const local = ctx.store.list('rbac.authorization.k8s.io/rolebindings', { namespace: a.namespace });
  return local.some((b) => bindingAllows(ctx, b, user, a));
}

/** The 403 body the real authorizer chain produces. */
export function forbiddenFor(user: UserInfo, a: Attributes): KubeStatusError {
  const res = { group: a.group, plural: a.resource };
  const what = a.name !== undefined ? `${qualified(res)} "${a.name}"` : qualified(res);
  const wanted = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const where = a.namespace !== undefined ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
  const message = `${what} is forbidden: User "${user.username}" cannot ${a.verb} resource "${wanted}" in API group "${a.group}" ${where}`;
  const details: { name?: string; group?: string; kind?: string } = {};
  if (a.name !== undefined) details.name = a.name;
  if (a.group !== '') details.group = a.group;
  details.kind = a.resource;
  return forbidden(message, details);
}
