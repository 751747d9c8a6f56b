/**
 * The read-only dashboard on the coordinator's port: `/` (the page), `/dashboard.js` and `/dashboard.json`.
 * GET only; it changes nothing. Reach it with `kubectl -n cni-migrate port-forward deploy/cni-migrate-coordinator
 * 9876` and open http://127.0.0.1:9876/.
 */
import express, { type Router } from 'express';
import type { Engine } from '../engine/engine.js';
import { dashboardModel } from './model.js';
import { DASHBOARD_HTML, DASHBOARD_JS } from './page.js';

/** Nothing but this origin's own script and data; no framing. */
const CSP = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; img-src 'self'; frame-ancestors 'none'";

export function dashboardRouter(engine: () => Engine | undefined, now: () => Date = () => new Date()): Router {
  const r = express.Router();
  r.get(['/', '/dashboard'], (_req, res) => {
    res.set('Content-Security-Policy', CSP).type('html').send(DASHBOARD_HTML);
  });
  r.get('/dashboard.js', (_req, res) => {
    res.set('Content-Security-Policy', CSP).type('application/javascript').send(DASHBOARD_JS);
  });
  r.get('/dashboard.json', (_req, res) => {
    const e = engine();
    if (!e) {
      res.status(503).json({ error: 'the coordinator is starting' });
      return;
    }
    const { migration, nodes, scope } = e.observed();
    const snap = e.snapshot();
    res.set('Cache-Control', 'no-store').json(dashboardModel({ migration, nodes, scope, leader: snap.leader, grants: snap.grants, now: now() }));
  });
  return r;
}
