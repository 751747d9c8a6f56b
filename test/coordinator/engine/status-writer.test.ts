import { describe, expect, it } from '@jest/globals';
import { StatusWriter } from '../../../coordinator/engine/status-writer.js';
import type { MigrationApi } from '../../../coordinator/kube/migration.js';
import { silentLogger } from '../../../shared/logger.js';
import { waitFor } from '../../support/wait-for.js';
import { state, T0 } from '../core/fixtures.js';

/** A Migration API whose status patches end (or fail) when the test says so. */
function migrationApi() {
  const patches: { status: object; end: (error?: Error) => void }[] = [];
  const api = {
    patchStatus: (status: object) =>
      new Promise<void>((resolve, reject) => {
        patches.push({ status, end: (error) => (error ? reject(error) : resolve()) });
      }),
  } as unknown as MigrationApi;
  return { api, patches };
}

const input = (phase: 'Pending' | 'Draining') => () => ({ nodes: [state({ phase })], paused: false, specError: undefined, now: T0 });

describe('StatusWriter', () => {
  it('when the status write takes its time, then the pass goes on at once, and a pass during it writes nothing but is followed by another once it ends', async () => {
    const { api, patches } = migrationApi();
    let wakes = 0;
    const writer = new StatusWriter(api, () => (wakes += 1), silentLogger());
    const events: string[] = [];

    const returned = Promise.resolve(writer.write(input('Draining'), [])).then(() => events.push('pass went on'));
    expect(patches).toHaveLength(1);
    setImmediate(() => {
      events.push('write ended');
      patches[0]?.end();
    });
    await returned;
    expect(events[0]).toBe('pass went on');

    writer.write(input('Pending'), []);
    expect(patches).toHaveLength(1);
    expect(wakes).toBe(0);
    await waitFor('the pass after the write', () => wakes === 1);
    await writer.stop();
  });

  it('when the write fails, then a later pass writes the status again', async () => {
    const { api, patches } = migrationApi();
    // As the pass loop does: a wake runs a pass, which asks for the status again.
    const writer: StatusWriter = new StatusWriter(api, () => writer.write(input('Draining'), []), silentLogger());
    writer.write(input('Draining'), []);
    patches[0]?.end(new Error('HTTP-Code: 503'));
    await waitFor('the status written again', () => patches.length === 2);
    expect(patches[1]?.status).toEqual(patches[0]?.status);
    patches[1]?.end();
    await writer.stop();
  });
});
