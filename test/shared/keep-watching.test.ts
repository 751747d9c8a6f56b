import { describe, expect, it } from '@jest/globals';
import type { Watch } from '@kubernetes/client-node';
import { keepWatching } from '../../shared/keep-watching.js';
import { silentLogger } from '../../shared/logger.js';
import { waitFor } from '../support/wait-for.js';

/** A Watch whose server the test plays: each started watch is kept, to send events or to end it. */
function fakeWatch() {
  const started: { onEvent: (type: string, obj: unknown) => void; done: (err: unknown) => void }[] = [];
  const watch: Pick<Watch, 'watch'> = {
    watch: (_path, _query, onEvent, done) => {
      started.push({ onEvent, done });
      return Promise.resolve(new AbortController());
    },
  };
  return { watch, started };
}

describe('keepWatching', () => {
  it('when the server ends a watch, then the owner hears of the gap at once, before the objects are sent again', async () => {
    const { watch, started } = fakeWatch();
    const seen: string[] = [];
    const w = keepWatching<string>({
      watch,
      path: '/api/v1/namespaces/ns/pods',
      query: {},
      serverTimeoutSeconds: 300,
      what: 'pods',
      log: silentLogger(),
      onGap: () => seen.push('gap'),
      onEvent: (type, name) => seen.push(`${type} ${name}`),
    });
    try {
      await waitFor('the first watch', () => started.length === 1);
      started[0]?.onEvent('ADDED', 'a');
      started[0]?.onEvent('ADDED', 'b');
      started[0]?.done(null);
      expect(seen).toEqual(['gap', 'ADDED a', 'ADDED b', 'gap']);
      await waitFor('the restarted watch', () => started.length === 2);
      started[1]?.onEvent('ADDED', 'a');
      expect(seen).toEqual(['gap', 'ADDED a', 'ADDED b', 'gap', 'ADDED a']);
    } finally {
      w.stop();
    }
  });
});
