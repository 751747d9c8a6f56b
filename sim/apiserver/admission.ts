/**
 * Admission checks on the write path: Lease MicroTime normalisation, and Pod Security Admission for
 * namespaces labelled `pod-security.kubernetes.io/enforce` (pods rejected; pod templates only warned).
 */
import type { AdmissionHook } from './context.js';
import { normaliseMicroTime } from './decode-checks.js';
import { arrAt, isObj, labelsOf, nameOf, namespaceOf, objAt, strAt, type Obj } from './json.js';
import type { ObjectStore } from './store.js';
import { forbidden } from './status.js';

export const leaseAdmission: AdmissionHook = (def, obj) => {
  if (def.kind !== 'Lease' || def.group !== 'coordination.k8s.io') return { obj, warnings: [] };
  const spec: Obj = { ...objAt(obj, 'spec') };
  for (const k of ['renewTime', 'acquireTime']) {
    const v = spec[k];
    if (typeof v === 'string') spec[k] = normaliseMicroTime(v);
  }
  return { obj: { ...obj, spec }, warnings: [] };
};

/** What the baseline profile forbids in a pod spec, in the order the real message lists it. */
export function baselineViolations(spec: Obj): string[] {
  const out: string[] = [];
  const hostNs = ['hostNetwork', 'hostPID', 'hostIPC'].filter((k) => spec[k] === true).map((k) => `${k}=true`);
  if (hostNs.length > 0) out.push(`host namespaces (${hostNs.join(', ')})`);
  const named = arrAt(spec, 'volumes').filter(isObj).filter((v) => isObj(v['hostPath'])).map((v) => `"${strAt(v, 'name') ?? ''}"`);
  if (named.length > 0) out.push(`hostPath volumes (volume${named.length > 1 ? 's' : ''} ${named.join(', ')})`);
  const containers = [...arrAt(spec, 'initContainers'), ...arrAt(spec, 'containers')];
  const privileged = containers.filter(isObj).filter((c) => objAt(c, 'securityContext')['privileged'] === true).map((c) => `"${strAt(c, 'name') ?? ''}"`);
  if (privileged.length > 0) {
    const subject = privileged.length > 1 ? `containers ${privileged.join(', ')} must not` : `container ${privileged[0] ?? ''} must not`;
    out.push(`privileged (${subject} set securityContext.privileged=true)`);
  }
  return out;
}

const POD_TEMPLATE_KINDS = new Set(['DaemonSet', 'Deployment', 'ReplicaSet', 'StatefulSet', 'Job']);

function enforcedLevel(store: ObjectStore, ns: string): string | undefined {
  const namespace = store.get('/namespaces', '', ns);
  if (!namespace) return undefined;
  const level = labelsOf(namespace)['pod-security.kubernetes.io/enforce'];
  return level === 'baseline' || level === 'restricted' ? level : undefined;
}

export function podSecurityAdmission(store: ObjectStore): AdmissionHook {
  return (def, obj) => {
    const isPod = def.kind === 'Pod' && def.group === '';
    if (!isPod && !POD_TEMPLATE_KINDS.has(def.kind)) return { obj, warnings: [] };
    const level = enforcedLevel(store, namespaceOf(obj));
    if (!level) return { obj, warnings: [] };
    const spec = isPod ? objAt(obj, 'spec') : objAt(objAt(objAt(obj, 'spec'), 'template'), 'spec');
    const violations = baselineViolations(spec);
    if (violations.length === 0) return { obj, warnings: [] };
    const what = `violates PodSecurity "${level}:latest": ${violations.join(', ')}`;
    if (isPod) throw forbidden(`pods "${nameOf(obj)}" is forbidden: ${what}`, { name: nameOf(obj), kind: 'pods' });
    return { obj, warnings: [`would ${what.replace('violates', 'violate')}`] };
  };
}
