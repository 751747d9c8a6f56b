import { describe, expect, it } from '@jest/globals';
import type { V1Node } from '@kubernetes/client-node';
import { NodeAnnotation } from '../../../shared/names.js';
import { fakeWatched } from './fake-watched.js';
import { NodeView } from '../../../coordinator/engine/node-view.js';
import { NodeStates } from '../../../coordinator/engine/node-states.js';
import { PendingResults } from '../../../coordinator/engine/results.js';

const node = (name: string, rv: string, annotations: Record<string, string> = {}): V1Node => ({ metadata: { name, resourceVersion: rv, annotations } });

describe("the nodes' timelines the probe sorts its reports by", () => {
  it('when no Node changed between two reports, then the timelines are not built again; when one changed, they show it', () => {
    const cache = fakeWatched<V1Node>();
    cache.put(node('w1', '1'));
    cache.put(node('w2', '2'));
    const view = new NodeView(cache);
    const states = new NodeStates(view, new PendingResults());
    const first = states.timelines();
    expect(states.timelines()).toBe(first);
    expect(first.get('w1')).toMatchObject({ phase: 'Pending', startedAt: undefined });

    const started = '2026-01-01T00:00:00.000Z';
    cache.put(node('w1', '3', { [NodeAnnotation.phase]: 'Draining', [NodeAnnotation.startedAt]: started }));
    const second = states.timelines();
    expect(second).not.toBe(first);
    expect(second.get('w1')).toMatchObject({ phase: 'Draining', startedAt: new Date(started) });

    view.wrote(node('w2', '4', { [NodeAnnotation.phase]: 'Cordoning', [NodeAnnotation.startedAt]: started }));
    expect(states.timelines().get('w2')).toMatchObject({ phase: 'Cordoning' });
  });
});
