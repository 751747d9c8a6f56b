import { describe, expect, it } from '@jest/globals';
import { matchesLabels, matchesSelection, parseFieldSelector, parseLabelSelector, pinnedField } from '../../../sim/apiserver/selectors.js';
import { KubeStatusError } from '../../../sim/apiserver/status.js';

const labels = { app: 'web', tier: '', 'node-role.kubernetes.io/control-plane': '' };

describe('label selectors', () => {
  const table: [string, boolean][] = [
    ['app=web', true],
    ['app==web', true],
    ['app!=web', false],
    ['app!=db', true],
    ['app in (db, web)', true],
    ['app notin (db,web)', false],
    ['missing notin (x)', true],
    ['node-role.kubernetes.io/control-plane', true],
    ['!node-role.kubernetes.io/control-plane', false],
    ['!missing', true],
    ['missing', false],
    ['tier=', true],
    ['app=web,tier in (,x),!missing', true],
    ['', true],
  ];
  it.each(table)('when the selector is %p, then the labels match: %p', (sel, want) => {
    expect(matchesLabels(labels, parseLabelSelector(sel))).toBe(want);
  });

  it('when a selector cannot be parsed, then it is a 400 BadRequest', () => {
    expect(() => parseLabelSelector('a b c')).toThrow(KubeStatusError);
  });
});

describe('field selectors', () => {
  const pod = { metadata: { name: 'p', namespace: 'ns' }, spec: { nodeName: 'n1' }, status: { phase: 'Running' } };
  const table: [string, boolean][] = [
    ['spec.nodeName=n1', true],
    ['spec.nodeName==n2', false],
    ['spec.nodeName=n1,status.phase!=Succeeded,status.phase!=Failed', true],
    ['spec.hostNetwork=false', true],
    ['spec.hostNetwork=true', false],
    ['metadata.namespace=ns,metadata.name=p', true],
  ];
  it.each(table)('when a pod is selected by %p, then it matches: %p', (sel, want) => {
    expect(matchesSelection(pod, { labels: [], fields: parseFieldSelector(sel, '/pods') })).toBe(want);
  });

  it('when a field is not supported for the kind, then the error names it as the real server does', () => {
    expect(() => parseFieldSelector('spec.priorityClassName=x', '/pods')).toThrow('field label not supported: spec.priorityClassName');
    expect(() => parseFieldSelector('spec.nodeName=x', '/nodes')).toThrow('field label not supported: spec.nodeName');
  });

  it('when a selector pins spec.nodeName, then the pinned value is found for the index', () => {
    expect(pinnedField(parseFieldSelector('status.phase!=Failed,spec.nodeName=n7', '/pods'), 'spec.nodeName')).toBe('n7');
    expect(pinnedField(parseFieldSelector('spec.nodeName!=n7', '/pods'), 'spec.nodeName')).toBeUndefined();
  });

  it('when events are selected by source, then source.component matches (reportingComponent when it is empty); source.component itself is 400', () => {
    const ev = { source: { component: 'cni-migrate' }, reason: 'NodeCordoned', type: 'Normal', involvedObject: { kind: 'Node', name: 'w1' } };
    const bare = { reportingComponent: 'cni-migrate', reason: 'X' };
    const sel = { labels: [], fields: parseFieldSelector('source=cni-migrate,involvedObject.kind=Node,reason=NodeCordoned,type=Normal', 'events') };
    expect(matchesSelection(ev, sel)).toBe(true);
    expect(matchesSelection(bare, { labels: [], fields: parseFieldSelector('source=cni-migrate', 'events') })).toBe(true);
    expect(matchesSelection({ ...ev, reason: 'Other' }, sel)).toBe(false);
    expect(() => parseFieldSelector('source.component=cni-migrate', 'events')).toThrow('field label not supported: source.component');
  });

  it('when a kind has no field labels of its own, then only metadata.name/namespace are accepted; nodes refuse metadata.namespace', () => {
    expect(parseFieldSelector('metadata.namespace=kube-system', '/configmaps')).toHaveLength(1);
    expect(() => parseFieldSelector('data.x=1', '/configmaps')).toThrow(KubeStatusError);
    expect(() => parseFieldSelector('metadata.namespace=x', '/nodes')).toThrow('field label not supported: metadata.namespace');
  });
});
