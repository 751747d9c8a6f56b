/** Prints the configuration reference of both binaries as Markdown (the README embeds it). */
import { renderConfigReference } from './config-spec.js';
import { AGENT_ENV_PREFIX, COORDINATOR_ENV_PREFIX, agentConfigSpec, coordinatorConfigSpec } from './config.js';

export function configReferenceMarkdown(): string {
  return [
    '### `cni-migrate coordinator`',
    '',
    renderConfigReference(coordinatorConfigSpec, COORDINATOR_ENV_PREFIX),
    '',
    '### `cni-migrate-agent run`',
    '',
    renderConfigReference(agentConfigSpec, AGENT_ENV_PREFIX),
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  process.stdout.write(`${configReferenceMarkdown()}\n`);
}
