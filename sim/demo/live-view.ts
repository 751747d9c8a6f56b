/**
 * The demo's live view: a table of nodes and phases with the current grant, redrawn in place on a TTY;
 * elsewhere one plain line per phase change seen. Rendering is pure; the writer only decides how to print and
 * reads the state at most ten times a second (a view over every node built per Node event was O(n²) at scale).
 */
import { renderRolloutView } from '../../coordinator/view/render.js';
import type { RolloutView } from '../../coordinator/view/rollout-view.js';

export interface ViewState {
  elapsedMs: number;
  scenario: string;
  leader: string;
  grants: { slot: number; node: string }[];
  /** The rollout as `cni-migrate status` shows it. */
  view: RolloutView;
}

/** The demo's header, then the same lines as `cni-migrate status -o wide`. */
export function renderTable(state: ViewState): string[] {
  const grant = state.grants.length === 0 ? '(none)' : state.grants.map((g) => `slot ${g.slot}: ${g.node}`).join(', ');
  const header = `cni-migrate demo  scenario=${state.scenario}  t=${(state.elapsedMs / 1000).toFixed(1)}s  leader=${state.leader}`;
  return [header, `grant: ${grant}`, ...renderRolloutView(state.view, 'wide')];
}

export interface ViewWriter {
  /** The state is read when the writer draws (at most every 100 ms), not on every cluster event. */
  update(state: () => ViewState): void;
  close(): void;
}

const REDRAW_EVERY_MS = 100;

/** Calls `draw` with the latest state at most every 100 ms after an update; `close` draws the last one at once. */
function coalescing(draw: (state: ViewState) => void): ViewWriter {
  let latest: (() => ViewState) | undefined;
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    timer = undefined;
    const state = latest;
    latest = undefined;
    if (state !== undefined) draw(state());
  };
  return {
    update(state) {
      latest = state;
      timer ??= setTimeout(flush, REDRAW_EVERY_MS);
    },
    close() {
      clearTimeout(timer);
      flush();
    },
  };
}

/** Redraws the whole table in place (cursor up, clear below). */
export function ttyWriter(out: NodeJS.WritableStream): ViewWriter {
  let drawn = 0;
  return coalescing((state) => {
    const lines = renderTable(state);
    out.write(`${drawn > 0 ? `\x1b[${drawn}A\x1b[0J` : ''}${lines.join('\n')}\n`);
    drawn = lines.length;
  });
}

/** One line per node whose phase changed since the last draw. */
export function plainWriter(out: NodeJS.WritableStream): ViewWriter {
  const seen = new Map<string, string>();
  return coalescing((state) => {
    for (const n of state.view.nodes) {
      if (seen.get(n.name) === n.phase) continue;
      seen.set(n.name, n.phase);
      const why = n.reason ? ` (${n.reason})` : '';
      out.write(`t=${(state.elapsedMs / 1000).toFixed(1)}s ${n.name} ${n.phase}${why}\n`);
    }
  });
}
