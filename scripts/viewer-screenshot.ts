// Regenerates docs/viewer-swapin-wrprotect.png (the README's picture of the
// trace viewer): the page of the swapin-wrprotect finding at its last step,
// in Debian's chromium (.ci/install-browser). Run: npx tsx scripts/viewer-screenshot.ts
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { runCli } from '../src/cli/main.ts';

const html = join(mkdtempSync(join(tmpdir(), 'cramcheck-shot-')), 'swapin-wrprotect.html');
const io = { out: () => undefined, err: (s: string) => void process.stderr.write(s) };
if ((await runCli(['view', 'counterexamples/findings/swapin-wrprotect.json', '--out', html], io)) !== 0) process.exit(1);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, deviceScaleFactor: 1 });
await page.goto(pathToFileURL(html).href);
await page.click('#end');
await page.screenshot({ path: join('docs', 'viewer-swapin-wrprotect.png'), fullPage: false });
await browser.close();
