/**
 * One long-poll for a node's next order: the wait ends at the requested deadline or as soon as the
 * client goes away, whichever comes first, and the directory sees that through its AbortSignal.
 */
import type { Response } from 'express';
import type { Order } from '../../shared/api.js';
import type { AgentDirectory } from '../ports.js';

export interface LongPoll {
  nodeName: string;
  after?: string;
  waitSeconds: number;
}

/** undefined when the client disconnected (nothing left to answer). */
export async function waitForOrder(
  directory: AgentDirectory,
  poll: LongPoll,
  res: Response,
): Promise<{ order: Order | null } | undefined> {
  const wait = new AbortController();
  let disconnected = false;
  const onClose = (): void => {
    if (res.writableFinished) return;
    disconnected = true;
    wait.abort(new Error('client disconnected'));
  };
  res.on('close', onClose);
  const timer = setTimeout(() => wait.abort(new Error('long-poll deadline')), poll.waitSeconds * 1000);
  try {
    const order = await directory.order(poll.nodeName, poll.after, wait.signal);
    return disconnected ? undefined : { order };
  } catch (e) {
    if (!wait.signal.aborted) throw e;
    return disconnected ? undefined : { order: null };
  } finally {
    clearTimeout(timer);
    res.off('close', onClose);
  }
}
