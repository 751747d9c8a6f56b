/** The README's code blocks, so tests run the commands and snippets it documents rather than copies of them. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const README = join(import.meta.dirname, '..', '..', 'README.md');

/** The first fenced block of `lang` after the line that contains `after`, without its fences. */
export function readmeBlock(after: string, lang: string): string {
  const text = readFileSync(README, 'utf8');
  const from = text.indexOf(after);
  if (from < 0) throw new Error(`README has no ${JSON.stringify(after)}`);
  const open = text.indexOf(`\`\`\`${lang}\n`, from);
  const close = text.indexOf('\n```', open + 4 + lang.length);
  if (open < 0 || close < 0) throw new Error(`README has no ${lang} block after ${JSON.stringify(after)}`);
  return text.slice(open + 4 + lang.length, close + 1);
}
