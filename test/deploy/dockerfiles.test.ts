import { beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { REPO_ROOT, renderDeploy } from './support/manifests.js';
import { onlyContainer, workload } from './support/workloads.js';

interface Instruction {
  op: string;
  args: string;
}

/** Dockerfile instructions, with `\` continuations joined and comments dropped. */
function instructions(file: string): Instruction[] {
  const text = readFileSync(join(REPO_ROOT, file), 'utf8').replace(/\\\n/g, ' ');
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const [op = '', ...rest] = l.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(' ') };
    });
}

/** The instructions of each stage, in order. */
function stages(file: string): Instruction[][] {
  const out: Instruction[][] = [];
  for (const i of instructions(file)) {
    if (i.op === 'FROM') out.push([]);
    out.at(-1)?.push(i);
  }
  return out;
}

const runs = (stage: readonly Instruction[]): string[] => stage.filter((i) => i.op === 'RUN').map((i) => i.args);
const last = (stage: readonly Instruction[], op: string): string | undefined =>
  stage.filter((i) => i.op === op).at(-1)?.args;

const PackageJsonSchema = z.looseObject({ bin: z.record(z.string(), z.string()) });
const packageBins = () => PackageJsonSchema.parse(JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'))).bin;

let commands: Record<string, string | undefined> = {};
beforeAll(async () => {
  const objects = await renderDeploy();
  commands = {
    'Dockerfile.agent': onlyContainer(workload(objects, 'DaemonSet', 'cni-migrate-agent')).command?.[0],
    'Dockerfile.coordinator': onlyContainer(workload(objects, 'Deployment', 'cni-migrate-coordinator')).command?.[0],
  };
});

describe.each([
  ['Dockerfile.agent', 'dist/agent/main.js'],
  ['Dockerfile.coordinator', 'dist/coordinator/main.js'],
])('%s', (file, entry) => {
  it('when read, then it has a build stage and a runtime stage on the same pinned node:20.20 bookworm-slim', () => {
    const froms = instructions(file).filter((i) => i.op === 'FROM').map((i) => i.args);
    expect(froms).toHaveLength(2);
    expect(froms[0]).toMatch(/^node:20\.20\.\d+-bookworm-slim AS build$/);
    expect(froms[1]).toBe(froms[0]?.replace(' AS build', ''));
  });

  it('when the build stage runs, then it installs with npm ci and then builds', () => {
    const [build = []] = stages(file);
    const r = runs(build);
    expect(r.findIndex((x) => x.startsWith('npm ci'))).toBeLessThan(r.findIndex((x) => x === 'npm run build'));
    expect(r.findIndex((x) => x.startsWith('npm ci'))).toBeGreaterThanOrEqual(0);
  });

  it('when the runtime stage is built, then it installs production dependencies only and copies dist/', () => {
    const [, runtime = []] = stages(file);
    expect(runs(runtime)).toContainEqual(expect.stringMatching(/^npm ci --omit=dev/));
    expect(runtime).toContainEqual({ op: 'COPY', args: '--from=build /app/dist ./dist' });
  });

  it('when started, then its entrypoint is the compiled main that package.json also names', () => {
    const [, runtime = []] = stages(file);
    expect(last(runtime, 'ENTRYPOINT')).toBe(JSON.stringify(['node', `/app/${entry}`]).replace(/,/g, ', '));
    expect(Object.values(packageBins())).toContain(entry);
  });

  it('when the manifest runs its command, then the image puts that command on the PATH', () => {
    const command = commands[file];
    expect(packageBins()[command ?? '']).toBe(entry);
    const [, runtime = []] = stages(file);
    expect(runs(runtime).join('\n')).toContain(`ln -s /app/${entry} /usr/local/bin/${command}`);
  });
});

describe('Dockerfile.agent', () => {
  it('when built, then it installs the host tools without recommends and drops the apt lists', () => {
    const [, runtime = []] = stages('Dockerfile.agent');
    const apt = runs(runtime).find((x) => x.includes('apt-get install')) ?? '';
    expect(apt).toContain('--no-install-recommends');
    for (const pkg of ['iptables', 'ipset', 'iproute2', 'nftables', 'util-linux', 'procps']) {
      expect(apt.split(/\s+/)).toContain(pkg);
    }
    expect(apt).toContain('rm -rf /var/lib/apt/lists/*');
  });
});

describe('Dockerfile.coordinator', () => {
  it('when started, then it runs as the unprivileged user 65532 (the Deployment says the same)', () => {
    const [, runtime = []] = stages('Dockerfile.coordinator');
    expect(last(runtime, 'USER')).toMatch(/^65532(:65532)?$/);
    expect(runtime.findIndex((i) => i.op === 'USER')).toBeGreaterThan(runtime.findLastIndex((i) => i.op === 'RUN'));
  });
});

describe('.dockerignore', () => {
  it('when the build context is sent, then dependencies, build output and git history stay out', () => {
    const lines = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    expect(lines).toEqual(expect.arrayContaining(['node_modules', 'dist', '.git']));
  });
});
