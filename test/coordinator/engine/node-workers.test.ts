import { describe, expect, it } from '@jest/globals';
import { silentLogger } from '../../../shared/logger.js';
import { NodeWorkers } from '../../../coordinator/engine/node-workers.js';

/** A reconcile the test finishes by hand, recording which node ran and how many ran at once. */
function gatedReconcile() {
  const runs: string[] = [];
  const open = new Map<string, () => void>();
  let running = 0;
  let most = 0;
  const reconcile = async (node: string): Promise<void> => {
    runs.push(node);
    running += 1;
    most = Math.max(most, running);
    await new Promise<void>((resolve) => open.set(node, resolve));
    running -= 1;
  };
  const finish = async (node: string): Promise<void> => {
    open.get(node)?.();
    open.delete(node);
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { reconcile, finish, runs, most: () => most, waiting: () => [...open.keys()] };
}

describe('NodeWorkers', () => {
  it('when two nodes are woken, then both reconcile at once; wakes of a node during its reconcile cause exactly one more', async () => {
    const r = gatedReconcile();
    const workers = new NodeWorkers(r.reconcile, silentLogger());
    workers.start();
    workers.wake('a');
    workers.wake('b');
    await Promise.resolve();
    await Promise.resolve();
    expect(r.waiting().sort()).toEqual(['a', 'b']);
    workers.wake('a');
    workers.wake('a');
    await r.finish('a');
    expect(r.runs.filter((n) => n === 'a')).toHaveLength(2);
    await r.finish('a');
    await r.finish('b');
    expect(r.runs.filter((n) => n === 'a')).toHaveLength(2);
    expect(r.most()).toBe(2);
    await workers.stop();
  });

  it('when run is awaited, then it resolves after a reconcile that started after the call', async () => {
    const r = gatedReconcile();
    const workers = new NodeWorkers(r.reconcile, silentLogger());
    workers.start();
    workers.wake('a');
    await Promise.resolve();
    await Promise.resolve();
    let done = false;
    const ran = workers.run('a').then(() => (done = true));
    await r.finish('a');
    expect(done).toBe(false);
    await r.finish('a');
    await ran;
    expect(r.runs).toEqual(['a', 'a']);
    await workers.stop();
  });

  it('when stopped, then no wake reconciles any more', async () => {
    const r = gatedReconcile();
    const workers = new NodeWorkers(r.reconcile, silentLogger());
    workers.start();
    await workers.stop();
    workers.wake('a');
    await workers.run('b');
    expect(r.runs).toEqual([]);
  });
});
