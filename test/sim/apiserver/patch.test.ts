import { describe, expect, it } from '@jest/globals';
import { applyPatch, mergePatch, patchKindOf, strategicPatch } from '../../../sim/apiserver/patch.js';
import { KubeStatusError } from '../../../sim/apiserver/status.js';

const node = {
  metadata: { name: 'n', labels: { a: '1', b: '2' }, ownerReferences: [{ uid: 'u1', name: 'x' }] },
  spec: { taints: [{ key: 't1', effect: 'NoSchedule' }] },
  status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'DiskPressure', status: 'False' }] },
};

describe('merge patch (RFC 7386)', () => {
  it('when a patch sets null, then the key is removed; lists are replaced whole', () => {
    const out = mergePatch(node, { metadata: { labels: { a: null, c: '3' } }, status: { conditions: [{ type: 'Ready', status: 'False' }] } });
    expect(out).toEqual({ ...node, metadata: { ...node.metadata, labels: { b: '2', c: '3' } }, status: { conditions: [{ type: 'Ready', status: 'False' }] } });
  });
});

describe('strategic merge patch', () => {
  it('when conditions are patched, then they merge by type and the others are kept', () => {
    const out = strategicPatch(node, { status: { conditions: [{ type: 'Ready', status: 'False' }] } }) as typeof node;
    expect(out.status.conditions).toEqual([{ type: 'Ready', status: 'False' }, { type: 'DiskPressure', status: 'False' }]);
  });

  it('when taints are patched, then the list is replaced (no merge key)', () => {
    const out = strategicPatch(node, { spec: { taints: [{ key: 't2', effect: 'NoExecute' }] } }) as typeof node;
    expect(out.spec.taints).toEqual([{ key: 't2', effect: 'NoExecute' }]);
  });

  it('when ownerReferences are patched, then they merge by uid', () => {
    const out = strategicPatch(node, { metadata: { ownerReferences: [{ uid: 'u2', name: 'y' }] } }) as typeof node;
    expect(out.metadata.ownerReferences.map((r) => r.uid)).toEqual(['u1', 'u2']);
  });

  it('when a patch carries $setElementOrder directives, then they are ignored', () => {
    const out = strategicPatch(node, { $setElementOrder: 'x', metadata: { labels: { d: '4' } } }) as typeof node;
    expect(out.metadata.labels).toEqual({ a: '1', b: '2', d: '4' });
  });
});

describe('json patch and content types', () => {
  it('when a test operation fails, then it is a 422', () => {
    const ops = [{ op: 'test', path: '/spec/taints/0/key', value: 'nope' }];
    expect(() => applyPatch('json', node, ops)).toThrow(KubeStatusError);
  });

  it('when the operations apply, then the input is left unchanged', () => {
    const out = applyPatch('json', node, [{ op: 'remove', path: '/spec/taints/0' }]);
    expect(out['spec']).toEqual({ taints: [] });
    expect(node.spec.taints).toHaveLength(1);
  });

  it.each([
    ['application/merge-patch+json', 'merge'],
    ['application/strategic-merge-patch+json; charset=utf-8', 'strategic'],
    ['application/json-patch+json', 'json'],
  ])('when the content type is %p, then the patch kind is %p', (ct, kind) => {
    expect(patchKindOf(ct)).toBe(kind);
  });

  it('when the content type is plain JSON, then it is 415', () => {
    expect(() => patchKindOf('application/json')).toThrow('415: Unsupported Media Type');
  });
});
