/**
 * The demo's live view: a table of nodes and phases with the current grant, redrawn in place on a TTY;
 * elsewhere one plain line per phase change. Rendering is pure; the writer only decides how to print.
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
  update(state: ViewState): void;
  close(): void;
}

const REDRAW_EVERY_MS = 100;

/** Redraws the whole table in place (cursor up, clear below), at most every 100 ms; `close` draws the last state. */
export function ttyWriter(out: NodeJS.WritableStream): ViewWriter {
  let drawn = 0;
  let latest: ViewState | undefined;
  let timer: NodeJS.Timeout | undefined;
  const draw = (): void => {
    timer = undefined;
    if (latest === undefined) return;
    const lines = renderTable(latest);
    out.write(`${drawn > 0 ? `\x1b[${drawn}A\x1b[0J` : ''}${lines.join('\n')}\n`);
    drawn = lines.length;
    latest = undefined;
  };
  return {
    update(state) {
      latest = state;
      timer ??= setTimeout(draw, REDRAW_EVERY_MS);
    },
    close() {
      clearTimeout(timer);
      draw();
    },
  };
}

/** One line per node whose phase changed since the last update. */
export function plainWriter(out: NodeJS.WritableStream): ViewWriter {
  const seen = new Map<string, string>();
  return {
    update(state) {
      for (const n of state.view.nodes) {
        if (seen.get(n.name) === n.phase) continue;
        seen.set(n.name, n.phase);
        const why = n.reason ? ` (${n.reason})` : '';
        out.write(`t=${(state.elapsedMs / 1000).toFixed(1)}s ${n.name} ${n.phase}${why}\n`);
      }
    },
    close: () => undefined,
  };
}
