/**
 * `cni-migrate status --watch`: the status view kept up to date until interrupted. It watches the Migration
 * and the Nodes (where each node's phase is recorded) and reads the view again on each change, never on a
 * clock; changes that arrive while a view is read are folded into one more read. On a terminal the view is
 * redrawn in place; elsewhere (a pipe, a log) each view that differs from the last is printed below it.
 */
import { describeError } from '../shared/errors.js';
import { formatRolloutView, readRolloutView, type OperatorApi, type StatusFormat } from './operator.js';

export interface WatchOptions {
  out: (text: string) => void;
  tty: boolean;
  until: Promise<unknown>;
}

/** Resolves the next `wait()` once `notify()` was called since the last one. */
class Changes {
  private dirty = true;
  private wake: (() => void) | undefined;

  notify(): void {
    this.dirty = true;
    this.wake?.();
  }

  async wait(until: Promise<unknown>): Promise<void> {
    if (!this.dirty) await Promise.race([until, new Promise<void>((resolve) => (this.wake = resolve))]);
    this.wake = undefined;
    this.dirty = false;
  }
}

export async function watchStatus(api: OperatorApi, format: StatusFormat, o: WatchOptions): Promise<void> {
  let stopped = false;
  void o.until.then(() => (stopped = true));
  const changes = new Changes();
  const stopWatching = await api.watchRollout(() => changes.notify());
  let drawn = 0;
  let last = '';
  try {
    for (;;) {
      await changes.wait(o.until);
      if (stopped) return;
      let text: string;
      try {
        text = formatRolloutView(await readRolloutView(api, new Date()), format);
      } catch (e) {
        text = `cannot read the rollout (the watch goes on): ${describeError(e)}\n`;
      }
      if (o.tty) {
        o.out(`${drawn > 0 ? `\x1b[${drawn}A\x1b[0J` : ''}${text}`);
        drawn = text.split('\n').length - 1;
      } else if (text !== last) {
        o.out(last === '' ? text : `\n${text}`);
      }
      last = text;
    }
  } finally {
    await stopWatching();
  }
}
