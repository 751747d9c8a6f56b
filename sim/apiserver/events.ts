/**
 * Events: core/v1 Events are stored; events.k8s.io/v1 reads and writes them through a conversion
 * (`note`↔`message`, `regarding`↔`involvedObject`, `deprecated*` fields). Also both versions' create rules.
 */
import type { AdmissionHook } from './context.js';
import { isObj, metaOf, nameOf, objAt, strAt, type Obj } from './json.js';
import type { Codec } from './resources.js';
import { invalid } from './status.js';

const pick = (o: Obj, pairs: [string, string][]): Obj => {
  const out: Obj = {};
  for (const [from, to] of pairs) if (o[from] !== undefined) out[to] = o[from];
  return out;
};

const SHARED: [string, string][] = [
  ['reason', 'reason'],
  ['type', 'type'],
  ['action', 'action'],
  ['related', 'related'],
  ['series', 'series'],
  ['reportingInstance', 'reportingInstance'],
];

/** events.k8s.io/v1 field -> core/v1 field */
const TO_CORE: [string, string][] = [
  ...SHARED,
  ['regarding', 'involvedObject'],
  ['note', 'message'],
  ['reportingController', 'reportingComponent'],
  ['deprecatedCount', 'count'],
];

export const eventsV1Codec: Codec = {
  toStorage(obj: Obj): Obj {
    const core: Obj = { metadata: obj['metadata'], ...pick(obj, TO_CORE), eventTime: obj['eventTime'] ?? null };
    core['source'] = isObj(obj['deprecatedSource']) ? obj['deprecatedSource'] : {};
    core['firstTimestamp'] = obj['deprecatedFirstTimestamp'] ?? null;
    core['lastTimestamp'] = obj['deprecatedLastTimestamp'] ?? null;
    return core;
  },
  fromStorage(core: Obj): Obj {
    const out: Obj = { metadata: core['metadata'], eventTime: core['eventTime'] ?? null };
    for (const [v1, c] of TO_CORE) if (core[c] !== undefined && v1 !== 'deprecatedCount') out[v1] = core[c];
    out['deprecatedSource'] = isObj(core['source']) ? core['source'] : {};
    out['deprecatedFirstTimestamp'] = core['firstTimestamp'] ?? null;
    out['deprecatedLastTimestamp'] = core['lastTimestamp'] ?? null;
    if (core['count'] !== undefined) out['deprecatedCount'] = core['count'];
    return out;
  },
};


/** Core Events about cluster-scoped objects live in `default`; events.k8s.io Events need `eventTime`. */
export const eventAdmission: AdmissionHook = (def, obj, old) => {
  if (def.storage !== 'events' || old) return { obj, warnings: [] };
  if (def.group === 'events.k8s.io') requireEventTime(obj);
  checkInvolvedNamespace(obj);
  return { obj, warnings: [] };
};

function requireEventTime(obj: Obj): void {
  if (obj['eventTime'] === null || obj['eventTime'] === undefined) {
    throw invalid('Event', nameOf(obj), [{ reason: 'FieldValueRequired', message: 'Required value', field: 'eventTime' }]);
  }
}

function checkInvolvedNamespace(obj: Obj): void {
  const involvedNs = strAt(objAt(obj, 'involvedObject'), 'namespace') ?? '';
  const ns = strAt(metaOf(obj), 'namespace') ?? '';
  const ok = involvedNs === '' ? ns === '' || ns === 'default' : involvedNs === ns;
  if (!ok) {
    throw invalid('Event', nameOf(obj), [{ reason: 'FieldValueInvalid', message: `Invalid value: "${involvedNs}": does not match event.namespace`, field: 'involvedObject.namespace' }]);
  }
}
