/**
 * When and whom the chaos run kills: K kills at random instants over a window (the rollout's duration
 * without kills). A share of them hits a replica during its start-up (0.1–0.9 s after its process started,
 * before its first election round can have finished: importing the API client alone takes longer); the
 * rest hit the leader after it leads. At an instant when no replica leads (the last leader was just killed
 * and nobody took over yet), the kill waits for the next term and lands at a random instant of it, up to
 * one mean gap between kills after it began: a leader is killed only once it leads.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Random } from '../../sim/seeded-random.js';
import type { CoordinatorProcesses } from './coordinator-processes.js';
import type { LeaderGaps } from './leader-gaps.js';

export interface KillPlan {
  kills: number;
  killWindowMs: number;
  random: Random;
}

export interface KillTargets {
  procs: CoordinatorProcesses;
  gaps: LeaderGaps;
}

/** The share of the kills that hit a replica during its start-up. */
export const STARTUP_KILL_SHARE = 0.25;
/** A start-up kill lands this long after the process started (min, max). */
const STARTUP_KILL_AGE_MS = [100, 900] as const;
/** How often the schedule looks whether a replica leads while it waits for one. */
const LEADER_LOOK_MS = 50;

/** The replica whose process holds a valid leader Lease it took after it started, else -1. */
function leaderOf({ procs, gaps }: KillTargets): number {
  const h = gaps.holder();
  if (h === undefined || h.validUntil <= Date.now()) return -1;
  const i = procs.indexOf(h.name);
  return i >= 0 && (procs.startedAt(i) ?? Infinity) <= h.acquiredAt ? i : -1;
}

/** Waits until a replica leads; -1 when the run ended first. */
async function nextLeader(t: KillTargets, done: () => boolean): Promise<number> {
  for (;;) {
    const i = leaderOf(t);
    if (i >= 0 || done()) return i;
    await delay(LEADER_LOOK_MS);
  }
}

/** Kills the leader (waiting for one to lead when none does); false when none was killed (the schedule tries again). */
async function killLeader(t: KillTargets, p: KillPlan, meanGapMs: number, done: () => boolean): Promise<boolean> {
  let leader = leaderOf(t);
  if (leader < 0) {
    if ((await nextLeader(t, done)) < 0) return false;
    await delay(p.random() * meanGapMs);
    leader = leaderOf(t);
    if (leader < 0 || done()) return false;
  }
  t.gaps.leaderKilled();
  await t.procs.kill(leader, p.random() < 0.5);
  return true;
}

/** Kills the youngest process during its start-up; when none is that young, the leader first (its restart is then young). */
async function killStarting(t: KillTargets, p: KillPlan, meanGapMs: number, done: () => boolean): Promise<'startup' | 'both' | 'none'> {
  let victim = t.procs.youngest();
  let age = Date.now() - (t.procs.startedAt(victim) ?? 0);
  let leaderToo = false;
  if (age > STARTUP_KILL_AGE_MS[1]) {
    if (!(await killLeader(t, p, meanGapMs, done))) return 'none';
    leaderToo = true;
    victim = t.procs.youngest();
    age = 0;
  }
  const at = STARTUP_KILL_AGE_MS[0] + p.random() * (STARTUP_KILL_AGE_MS[1] - STARTUP_KILL_AGE_MS[0]);
  await delay(Math.max(0, at - age));
  if (done()) return leaderToo ? 'both' : 'none';
  await t.procs.kill(victim, p.random() < 0.5, true);
  return leaderToo ? 'both' : 'startup';
}

type Kind = 'startup' | 'leader';

/** K kinds in a seeded order: the start-up share, the rest of the leader. */
function kindsOf(p: KillPlan): Kind[] {
  const startup = Math.round(p.kills * STARTUP_KILL_SHARE);
  const kinds: Kind[] = Array.from({ length: p.kills }, (_, i) => (i < startup ? 'startup' : 'leader'));
  for (let i = kinds.length - 1; i > 0; i -= 1) {
    const j = Math.floor(p.random() * (i + 1));
    [kinds[i], kinds[j]] = [kinds[j] as Kind, kinds[i] as Kind];
  }
  return kinds;
}

export async function killOnSchedule(p: KillPlan, t: KillTargets, done: () => boolean): Promise<void> {
  const instants = Array.from({ length: p.kills }, () => p.random() * p.killWindowMs).sort((a, b) => a - b);
  const kinds = kindsOf(p);
  const meanGapMs = p.kills > 0 ? p.killWindowMs / p.kills : 0;
  const started = Date.now();
  let next = 0;
  while (kinds.length > 0 && !done()) {
    await delay(Math.max(0, started + (instants[next] ?? 0) - Date.now()));
    if (done()) return;
    const kind = kinds[0] as Kind;
    const killed = kind === 'startup' ? await killStarting(t, p, meanGapMs, done) : (await killLeader(t, p, meanGapMs, done)) ? 'leader' : 'none';
    next += spend(kinds, killed);
  }
}

/** Takes what a kill spent off the plan; returns how many kills that was. */
function spend(kinds: Kind[], killed: Kind | 'both' | 'none'): number {
  if (killed === 'none') return 0;
  kinds.shift();
  if (killed !== 'both') return 1;
  // A start-up kill that had to kill the leader first spent one of the leader's kills too.
  const i = kinds.lastIndexOf('leader');
  kinds.splice(i >= 0 ? i : kinds.length - 1, 1);
  return 2;
}
