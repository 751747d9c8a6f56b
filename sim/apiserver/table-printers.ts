/**
 * The server-side printers of the built-in kinds the runbook touches: column definitions and one row of
 * cells per object, as a v1.28 kube-apiserver prints them (all wide columns included, priority 1).
 */
import { arrAt, isObj, labelsOf, metaOf, nameOf, objAt, strAt, type Obj } from './json.js';

export interface Column {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

export interface Printer {
  columns: Column[];
  cells(o: Obj, now: Date): unknown[];
}

const col = (name: string, type = 'string', priority = 0, format = ''): Column => ({ name, type, format, description: `${name} of the object`, priority });
export const NAME_COLUMN: Column = { ...col('Name', 'string', 0, 'name'), description: 'Name must be unique within a namespace.' };
const AGE = col('Age');

/** Go's `duration.HumanDuration`, as the Age column prints it. */
const withRest = (big: number, unit: string, rest: number, restUnit: string): string => (rest === 0 ? `${big}${unit}` : `${big}${unit}${rest}${restUnit}`);

function longDuration(hours: number): string {
  const days = Math.floor(hours / 24);
  if (hours < 24 * 8) return withRest(days, 'd', hours % 24, 'h');
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.floor(days / 365);
  if (hours < 24 * 365 * 8) return withRest(years, 'y', days % 365, 'd');
  return `${years}y`;
}

/** Go's `duration.HumanDuration`, as the Age column prints it. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return withRest(minutes, 'm', seconds % 60, 's');
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return withRest(hours, 'h', minutes % 60, 'm');
  if (hours < 48) return `${hours}h`;
  return longDuration(hours);
}

/** `translateTimestampSince`: `<unknown>` for a missing time. */
export function since(value: unknown, now: Date): string {
  if (typeof value !== 'string' || value === '') return '<unknown>';
  return humanDuration(now.getTime() - Date.parse(value));
}

const age = (o: Obj, now: Date): string => since(metaOf(o)['creationTimestamp'], now);
const num = (o: Obj, key: string): number => (typeof o[key] === 'number' ? o[key] : 0);
const orNone = (s: string | undefined): string => (s ? s : '<none>');
const orUnknown = (s: string | undefined): string => (s ? s : '<unknown>');

function formatLabels(map: unknown): string {
  if (!isObj(map) || Object.keys(map).length === 0) return '<none>';
  return Object.entries(map).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(',');
}

function formatSelector(sel: Obj): string {
  const terms = Object.entries(objAt(sel, 'matchLabels')).map(([k, v]) => `${k}=${String(v)}`);
  for (const e of arrAt(sel, 'matchExpressions')) {
    if (!isObj(e)) continue;
    const values = arrAt(e, 'values').map(String).join(',');
    const op = strAt(e, 'operator') ?? '';
    terms.push(op === 'Exists' ? String(e['key']) : op === 'DoesNotExist' ? `!${String(e['key'])}` : `${String(e['key'])} ${op.toLowerCase()} (${values})`);
  }
  return terms.length > 0 ? terms.join(',') : '<none>';
}

function containersAndImages(template: Obj): string[] {
  const containers = arrAt(objAt(template, 'spec'), 'containers').filter(isObj);
  return [containers.map((c) => strAt(c, 'name') ?? '').join(','), containers.map((c) => strAt(c, 'image') ?? '').join(',')];
}

const WORKLOAD_WIDE = [col('Containers', 'string', 1), col('Images', 'string', 1), col('Selector', 'string', 1)];
const workloadWide = (o: Obj): string[] => [...containersAndImages(objAt(objAt(o, 'spec'), 'template')), formatSelector(objAt(objAt(o, 'spec'), 'selector'))];

function nodeRoles(o: Obj): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(labelsOf(o))) {
    if (k.startsWith('node-role.kubernetes.io/') && k.length > 'node-role.kubernetes.io/'.length) roles.add(k.slice('node-role.kubernetes.io/'.length));
    if (k === 'kubernetes.io/role' && v) roles.add(v);
  }
  return orNone([...roles].sort().join(','));
}

function nodeStatus(o: Obj): string {
  const ready = arrAt(objAt(o, 'status'), 'conditions').find((c) => isObj(c) && c['type'] === 'Ready');
  const parts = [isObj(ready) ? (ready['status'] === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (objAt(o, 'spec')['unschedulable'] === true) parts.push('SchedulingDisabled');
  return parts.join(',');
}

const address = (o: Obj, type: string): string | undefined => {
  const a = arrAt(objAt(o, 'status'), 'addresses').find((x) => isObj(x) && x['type'] === type);
  return isObj(a) ? strAt(a, 'address') : undefined;
};

const NODE: Printer = {
  columns: [NAME_COLUMN, col('Status'), col('Roles'), AGE, col('Version'), col('Internal-IP', 'string', 1), col('External-IP', 'string', 1), col('OS-Image', 'string', 1), col('Kernel-Version', 'string', 1), col('Container-Runtime', 'string', 1)],
  cells: (o, now) => {
    const info = objAt(objAt(o, 'status'), 'nodeInfo');
    return [
      nameOf(o), nodeStatus(o), nodeRoles(o), age(o, now), strAt(info, 'kubeletVersion') ?? '', orNone(address(o, 'InternalIP')), orNone(address(o, 'ExternalIP')),
      orUnknown(strAt(info, 'osImage')), orUnknown(strAt(info, 'kernelVersion')), orUnknown(strAt(info, 'containerRuntimeVersion')),
    ];
  },
};

function containerReason(statuses: Obj[], fallback: string): string {
  let reason = fallback;
  for (const s of statuses) {
    const state = objAt(s, 'state');
    const waiting = strAt(objAt(state, 'waiting'), 'reason');
    const terminated = objAt(state, 'terminated');
    if (waiting) reason = waiting;
    else if (strAt(terminated, 'reason')) reason = strAt(terminated, 'reason') ?? reason;
    else if (isObj(state['terminated'])) reason = terminated['signal'] ? `Signal:${num(terminated, 'signal')}` : `ExitCode:${num(terminated, 'exitCode')}`;
  }
  return reason;
}

function podCells(o: Obj, now: Date): unknown[] {
  const status = objAt(o, 'status');
  const statuses = arrAt(status, 'containerStatuses').filter(isObj);
  const total = arrAt(objAt(o, 'spec'), 'containers').length;
  const ready = statuses.filter((s) => s['ready'] === true).length;
  const restarts = statuses.reduce((n, s) => n + num(s, 'restartCount'), 0);
  let reason = containerReason(statuses, strAt(status, 'reason') ?? strAt(status, 'phase') ?? '');
  if (metaOf(o)['deletionTimestamp'] !== undefined && strAt(status, 'reason') !== 'NodeLost') reason = 'Terminating';
  const spec = objAt(o, 'spec');
  const gates = arrAt(spec, 'readinessGates').length;
  return [nameOf(o), `${ready}/${total}`, reason, String(restarts), age(o, now), orNone(strAt(status, 'podIP')), orNone(strAt(spec, 'nodeName')), orNone(strAt(status, 'nominatedNodeName')), gates === 0 ? '<none>' : `0/${gates}`];
}

const POD: Printer = {
  columns: [NAME_COLUMN, col('Ready'), col('Status'), col('Restarts'), AGE, col('IP', 'string', 1), col('Node', 'string', 1), col('Nominated Node', 'string', 1), col('Readiness Gates', 'string', 1)],
  cells: podCells,
};

const DAEMONSET: Printer = {
  columns: [NAME_COLUMN, col('Desired', 'integer'), col('Current', 'integer'), col('Ready', 'integer'), col('Up-to-date', 'integer'), col('Available', 'integer'), col('Node Selector'), AGE, ...WORKLOAD_WIDE],
  cells: (o, now) => {
    const s = objAt(o, 'status');
    const nodeSelector = formatLabels(objAt(objAt(objAt(o, 'spec'), 'template'), 'spec')['nodeSelector']);
    return [nameOf(o), num(s, 'desiredNumberScheduled'), num(s, 'currentNumberScheduled'), num(s, 'numberReady'), num(s, 'updatedNumberScheduled'), num(s, 'numberAvailable'), nodeSelector, age(o, now), ...workloadWide(o)];
  },
};

const DEPLOYMENT: Printer = {
  columns: [NAME_COLUMN, col('Ready'), col('Up-to-date', 'integer'), col('Available', 'integer'), AGE, ...WORKLOAD_WIDE],
  cells: (o, now) => {
    const s = objAt(o, 'status');
    const desired = typeof objAt(o, 'spec')['replicas'] === 'number' ? num(objAt(o, 'spec'), 'replicas') : 1;
    return [nameOf(o), `${num(s, 'readyReplicas')}/${desired}`, num(s, 'updatedReplicas'), num(s, 'availableReplicas'), age(o, now), ...workloadWide(o)];
  },
};

const REPLICASET: Printer = {
  columns: [NAME_COLUMN, col('Desired', 'integer'), col('Current', 'integer'), col('Ready', 'integer'), AGE, ...WORKLOAD_WIDE],
  cells: (o, now) => {
    const s = objAt(o, 'status');
    const desired = typeof objAt(o, 'spec')['replicas'] === 'number' ? num(objAt(o, 'spec'), 'replicas') : 1;
    return [nameOf(o), desired, num(s, 'replicas'), num(s, 'readyReplicas'), age(o, now), ...workloadWide(o)];
  },
};

function eventTimes(o: Obj, now: Date): { first: string; last: string; count: number } {
  const first = o['firstTimestamp'] ? since(o['firstTimestamp'], now) : since(o['eventTime'], now);
  if (isObj(o['series'])) return { first, last: since(o['series']['lastObservedTime'], now), count: num(o['series'], 'count') };
  return { first, last: o['lastTimestamp'] ? since(o['lastTimestamp'], now) : first, count: num(o, 'count') || 1 };
}

function eventTarget(o: Obj): string {
  const involved = objAt(o, 'involvedObject');
  const kind = (strAt(involved, 'kind') ?? '').toLowerCase();
  const name = strAt(involved, 'name');
  return name ? `${kind}/${name}` : kind;
}

function eventSource(o: Obj): string {
  const source = objAt(o, 'source');
  const component = strAt(source, 'component') || (strAt(o, 'reportingComponent') ?? '');
  const instance = strAt(source, 'host') || (strAt(o, 'reportingInstance') ?? '');
  return instance ? `${component}, ${instance}` : component;
}

function eventCells(o: Obj, now: Date): unknown[] {
  const { first, last, count } = eventTimes(o, now);
  const fieldPath = strAt(objAt(o, 'involvedObject'), 'fieldPath') ?? '';
  return [last, strAt(o, 'type') ?? '', strAt(o, 'reason') ?? '', eventTarget(o), fieldPath, eventSource(o), (strAt(o, 'message') ?? '').trim(), first, count, nameOf(o)];
}

const EVENT: Printer = {
  columns: [col('Last Seen'), col('Type'), col('Reason'), col('Object'), col('Subobject', 'string', 1), col('Source', 'string', 1), col('Message'), col('First Seen', 'string', 1), col('Count', 'string', 1), { ...NAME_COLUMN, priority: 1 }],
  cells: eventCells,
};

const dataCount = (o: Obj): number => Object.keys(objAt(o, 'data')).length + Object.keys(objAt(o, 'binaryData')).length;
const intOrString = (v: unknown): string => (v === undefined || v === null ? 'N/A' : typeof v === 'string' ? v : JSON.stringify(v));

/** Printers by storage table. */
export const PRINTERS: Record<string, Printer> = {
  '/nodes': NODE,
  '/pods': POD,
  'apps/daemonsets': DAEMONSET,
  'apps/deployments': DEPLOYMENT,
  'apps/replicasets': REPLICASET,
  events: EVENT,
  'coordination.k8s.io/leases': { columns: [NAME_COLUMN, col('Holder'), AGE], cells: (o, now) => [nameOf(o), strAt(objAt(o, 'spec'), 'holderIdentity') ?? '', age(o, now)] },
  '/namespaces': { columns: [NAME_COLUMN, col('Status'), AGE], cells: (o, now) => [nameOf(o), strAt(objAt(o, 'status'), 'phase') ?? '', age(o, now)] },
  '/configmaps': { columns: [NAME_COLUMN, col('Data', 'integer'), AGE], cells: (o, now) => [nameOf(o), dataCount(o), age(o, now)] },
  '/secrets': { columns: [NAME_COLUMN, col('Type'), col('Data', 'integer'), AGE], cells: (o, now) => [nameOf(o), strAt(o, 'type') ?? '', dataCount(o), age(o, now)] },
  '/serviceaccounts': { columns: [NAME_COLUMN, col('Secrets', 'integer'), AGE], cells: (o, now) => [nameOf(o), arrAt(o, 'secrets').length, age(o, now)] },
  'policy/poddisruptionbudgets': {
    columns: [NAME_COLUMN, col('Min Available'), col('Max Unavailable'), col('Allowed Disruptions', 'integer'), AGE],
    cells: (o, now) => [nameOf(o), intOrString(objAt(o, 'spec')['minAvailable']), intOrString(objAt(o, 'spec')['maxUnavailable']), num(objAt(o, 'status'), 'disruptionsAllowed'), age(o, now)],
  },
};

/** Kinds without a printer of their own: Name and Created At, as the default table convertor prints them. */
export const DEFAULT_PRINTER: Printer = {
  columns: [NAME_COLUMN, { ...col('Created At', 'date'), description: 'CreationTimestamp of the object' }],
  cells: (o) => [nameOf(o), strAt(metaOf(o), 'creationTimestamp') ?? ''],
};
