/**
 * `cni-migrate status --watch`: the status view kept up to date until interrupted. On a terminal the view is
 * redrawn in place; elsewhere (a pipe, a log) each view that differs from the last is printed below it.
 */
import { describeError } from '../shared/errors.js';
import { formatRolloutView, readRolloutView, type OperatorApi, type StatusFormat } from './operator.js';

/** How often the view is read again (times in a step tick on even when nothing else changes). */
export const WATCH_REFRESH_MS = 2000;

export interface WatchOptions {
  out: (text: string) => void;
  tty: boolean;
  until: Promise<unknown>;
  refreshMs?: number;
}

export async function watchStatus(api: OperatorApi, format: StatusFormat, o: WatchOptions): Promise<void> {
  let stopped = false;
  void o.until.then(() => (stopped = true));
  let drawn = 0;
  let last = '';
  while (!stopped) {
    let text: string;
    try {
      text = formatRolloutView(await readRolloutView(api, new Date()), format);
    } catch (e) {
      text = `cannot read the rollout (retrying): ${describeError(e)}\n`;
    }
    if (o.tty) {
      o.out(`${drawn > 0 ? `\x1b[${drawn}A\x1b[0J` : ''}${text}`);
      drawn = text.split('\n').length - 1;
    } else if (text !== last) {
      o.out(last === '' ? text : `\n${text}`);
    }
    last = text;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([o.until, new Promise((r) => (timer = setTimeout(r, o.refreshMs ?? WATCH_REFRESH_MS)))]);
    clearTimeout(timer);
  }
}
