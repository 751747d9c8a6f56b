/**
 * The coordinator's dashboard in a real browser (Debian's chromium, headless, driven by playwright-core): a
 * demo rollout halts on a node whose DNS is broken, and the page shows the node grid coloured by phase, the grant
 * holders, the hand-off timeline, the probe graph (figures per pairing, loss per hand-off), and the halt with the commands that continue. The
 * screenshot the README embeds (docs/dashboard.png) is written by this test when CNI_MIGRATE_UPDATE_SCREENSHOT=1;
 * otherwise it goes to a temporary directory, so a test run leaves the work tree as it was.
 */
import { describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { REPO_ROOT } from '../deploy/support/manifests.js';
import { FAST_DEADLINES, runRollout } from './support.js';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

interface Seen {
  status: number | undefined;
  nodes: { name: string; phase: string; colour: string }[];
  halt: string;
  next: string;
  grants: string;
  timelineBars: number;
  probeNote: string;
  /** The probe graph: the pairings it names, and its loss columns (one per pairing and hand-off). */
  probePairings: string[];
  probeColumns: { handOff: string; pairing: string }[];
  writeStatus: number;
}

async function lookAt(url: string): Promise<Seen> {
  if (!existsSync(CHROMIUM)) throw new Error(`this test needs Debian's chromium at ${CHROMIUM} (apt-get install chromium)`);
  const profile = await mkdtemp(join(tmpdir(), 'chromium-profile-'));
  // A fresh profile each run (playwright passes it to chromium as --user-data-dir).
  const browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: FLAGS, viewport: { width: 1100, height: 820 } });
  try {
    const page = browser.pages()[0] ?? (await browser.newPage());
    const response = await page.goto(url);
    await page.waitForSelector('body[data-loaded="true"]', { timeout: 20_000 });
    await page.waitForSelector('#halt-next:not(:empty)', { timeout: 20_000 });
    await page.waitForSelector('#probe rect', { timeout: 20_000 });
    const shot = process.env['CNI_MIGRATE_UPDATE_SCREENSHOT'] === '1' ? join(REPO_ROOT, 'docs', 'dashboard.png') : join(profile, 'dashboard.png');
    await page.screenshot({ path: shot, fullPage: true });
    const nodes = await page.evaluate<Seen['nodes']>(
      "[...document.querySelectorAll('#grid .node')].map((e) => ({ name: e.dataset.node, phase: e.dataset.phase, colour: getComputedStyle(e).backgroundColor }))",
    );
    const text = async (sel: string): Promise<string> => (await page.locator(sel).textContent()) ?? '';
    const write = await page.evaluate<number>("fetch('dashboard.json', { method: 'POST', body: '{}' }).then((r) => r.status)");
    return {
      status: response?.status(),
      nodes,
      halt: await text('#halt-reason'),
      next: await text('#halt-next'),
      grants: await text('#grants'),
      timelineBars: await page.locator('#timeline rect').count(),
      probeNote: await text('#probe-note'),
      probePairings: await page.evaluate<string[]>("[...document.querySelectorAll('#probe text[data-pairing]')].map((e) => e.dataset.pairing)"),
      probeColumns: await page.evaluate<Seen['probeColumns']>("[...document.querySelectorAll('#probe rect')].map((e) => ({ handOff: e.dataset.handOff, pairing: e.dataset.pairing }))"),
      writeStatus: write,
    };
  } finally {
    await browser.close();
    await rm(profile, { recursive: true, force: true });
  }
}

describe('the dashboard', () => {
  it('when the rollout halts on a node, then the page shows it in red, the cause and the commands that continue', async () => {
    let seen: Seen | undefined;
    const { ok } = await runRollout(
      { nodes: 4, scenario: 'dns-broken-on-node' },
      { coordinator: FAST_DEADLINES, beforeClose: async ({ dashboardUrl }) => void (seen = await lookAt(dashboardUrl)) },
    );
    expect(ok).toBe(true);
    if (!seen) throw new Error('the dashboard was not looked at');
    expect(seen.status).toBe(200);
    expect(seen.nodes.map((n) => n.name)).toEqual(['sim-cp-1', 'sim-worker-1', 'sim-worker-2', 'sim-worker-3']);
    expect(seen.nodes.find((n) => n.phase === 'Halted')).toMatchObject({ name: 'sim-worker-1', colour: 'rgb(224, 49, 49)' });
    expect(seen.nodes.filter((n) => n.phase === 'Pending').map((n) => n.colour)).toEqual(['rgb(138, 148, 166)', 'rgb(138, 148, 166)', 'rgb(138, 148, 166)']);
    expect(seen.halt).toContain('sim-worker-1 halted at step Validating');
    expect(seen.halt).toContain('dns');
    expect(seen.next).toBe('cni-migrate retry sim-worker-1\ncni-migrate rollback sim-worker-1');
    expect(seen.grants).toBe('SLOTNODE0sim-worker-1');
    expect(seen.timelineBars).toBe(1);
    // The probe pods on the nodes that serve (all still on Calico) lost nothing while sim-worker-1 was handed off.
    expect(seen.probeNote).toContain('zero-downtime: yes');
    expect(seen.probePairings).toEqual(['calico-calico', 'service']);
    expect(seen.probeColumns).toEqual(expect.arrayContaining([{ handOff: 'sim-worker-1#1', pairing: 'calico-calico' }, { handOff: 'sim-worker-1#1', pairing: 'service' }]));
    expect(seen.writeStatus).toBe(404);
  });
});
