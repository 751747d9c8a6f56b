import { describe, expect, it } from '@jest/globals';
import { evaluate, parseJsonPath } from '../../../sim/apiserver/jsonpath.js';
import type { ResourceDef } from '../../../sim/apiserver/resources.js';
import { tableVersionAsked, toTable } from '../../../sim/apiserver/table.js';
import { humanDuration } from '../../../sim/apiserver/table-printers.js';

const now = new Date('2026-11-27T12:00:00Z');
const def = (storage: string, extra: Partial<ResourceDef> = {}): ResourceDef => ({
  group: '', version: 'v1', plural: storage.split('/').at(-1) ?? '', singular: '', kind: 'Thing', namespaced: false, storage,
  verbs: [], subresources: [], hasStatus: true, hasGeneration: false, returnsDeletedObject: true, ...extra,
});
type Row = { cells: unknown[]; object?: { kind: string } };
const table = (d: ResourceDef, items: object[], query = ''): { columns: string[]; rows: Row[] } => {
  const body = toTable(d, { status: 200, body: { kind: 'List', metadata: { resourceVersion: '9' }, items } }, { version: 'v1', query: new URLSearchParams(query), now }).body;
  return { columns: (body['columnDefinitions'] as { name: string }[]).map((c) => c.name), rows: body['rows'] as Row[] };
};

describe('the Table form', () => {
  it('when kubectl asks for a Table first, then v1 is chosen; plain JSON first means no Table', () => {
    expect(tableVersionAsked('application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json')).toBe('v1');
    expect(tableVersionAsked('application/json')).toBeUndefined();
    expect(tableVersionAsked('application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io,application/json')).toBeUndefined();
  });

  it('when ages are printed, then they read as Go’s HumanDuration', () => {
    expect([0, 119_000, 150_000, 600_000, 3 * 3600_000 + 60_000, 50 * 3600_000].map(humanDuration)).toEqual(['0s', '119s', '2m30s', '10m', '3h1m', '2d2h']);
  });

  it('when nodes are printed, then status, roles and the wide columns are as kubectl shows them', () => {
    const node = {
      metadata: { name: 'cp', creationTimestamp: '2026-11-27T11:59:00Z', labels: { 'node-role.kubernetes.io/control-plane': '' } },
      spec: { unschedulable: true },
      status: { conditions: [{ type: 'Ready', status: 'True' }], addresses: [{ type: 'InternalIP', address: '10.0.0.1' }], nodeInfo: { kubeletVersion: 'v1.28.7' } },
    };
    const t = table(def('/nodes'), [node]);
    expect(t.columns).toEqual(['Name', 'Status', 'Roles', 'Age', 'Version', 'Internal-IP', 'External-IP', 'OS-Image', 'Kernel-Version', 'Container-Runtime']);
    expect(t.rows[0]?.cells).toEqual(['cp', 'Ready,SchedulingDisabled', 'control-plane', '60s', 'v1.28.7', '10.0.0.1', '<none>', '<unknown>', '<unknown>', '<unknown>']);
    expect(t.rows[0]?.object?.kind).toBe('PartialObjectMetadata');
  });

  it('when a CRD has printer columns, then they follow NAME and a path that finds nothing is null; without columns it is NAME, AGE', () => {
    const printerColumns = [{ name: 'Halted', type: 'string', jsonPath: '.status.conditions[?(@.type=="Halted")].status' }, { name: 'Total', type: 'integer', jsonPath: '.status.total' }];
    const crd = def('x.io/things', { custom: { schema: undefined, crdName: 'things.x.io', printerColumns } });
    const t = table(crd, [{ metadata: { name: 'a' }, status: { total: 3, conditions: [{ type: 'Halted', status: 'True' }] } }, { metadata: { name: 'b' } }]);
    expect(t.columns).toEqual(['Name', 'Halted', 'Total']);
    expect(t.rows.map((r) => r.cells)).toEqual([['a', 'True', 3], ['b', null, null]]);
    const bare = table(def('x.io/things', { custom: { schema: undefined, crdName: 'things.x.io', printerColumns: [] } }), [{ metadata: { name: 'a', creationTimestamp: '2026-11-27T11:00:00Z' } }], 'includeObject=None');
    expect(bare).toEqual({ columns: ['Name', 'Age'], rows: [{ cells: ['a', '60m'] }] });
  });

  it('when a JSONPath has indexes, wildcards and filters, then it finds what kubectl’s would', () => {
    const o = { a: [{ k: 'x', v: 1 }, { k: 'y', v: 2 }], m: { 'dotted.key': 'd' } };
    expect(evaluate(parseJsonPath('.a[*].v'), o)).toEqual([1, 2]);
    expect(evaluate(parseJsonPath('{.a[1].k}'), o)).toEqual(['y']);
    expect(evaluate(parseJsonPath(".a[?(@.k!='x')].v"), o)).toEqual([2]);
    expect(evaluate(parseJsonPath(".m['dotted.key']"), o)).toEqual(['d']);
    expect(evaluate(parseJsonPath('.missing.deeper'), o)).toEqual([]);
  });
});
