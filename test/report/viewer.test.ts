// The trace viewer page in a real browser: Debian's chromium (installed by
// .ci/install-browser), driven by playwright-core, opens the generated page
// of a finding from file:// (no server, no network), steps through it and
// checks what is shown. Skipped only when CRAMCHECK_NO_BROWSER=1; otherwise a
// missing browser fails the test.
import test from 'ava';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { runCli } from '../../src/cli/main.ts';

const CHROMIUM = '/usr/bin/chromium';
const skip = process.env['CRAMCHECK_NO_BROWSER'] === '1';
const dir = mkdtempSync(join(tmpdir(), 'cramcheck-view-'));

async function view(trace: string): Promise<string> {
  const out = join(dir, `${trace}.html`);
  let err = '';
  const code = await runCli(['view', join('counterexamples', 'findings', `${trace}.json`), '--out', out], { out: () => undefined, err: (s) => void (err += s) });
  if (code !== 0) throw new Error(`cramcheck view exited ${code}: ${err}`);
  return out;
}

async function withPage(file: string, f: (page: Page) => Promise<void>): Promise<void> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} missing: run .ci/install-browser (or set CRAMCHECK_NO_BROWSER=1 to skip this test)`);
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
    // The page must need nothing from the network.
    await page.route('**/*', (route) => (route.request().url().startsWith('file:') ? route.continue() : route.abort()));
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(pathToFileURL(file).href);
    await f(page);
    if (errors.length > 0) throw new Error(`page errors: ${errors.join('; ')}`);
  } finally {
    await browser.close();
  }
}

const maybe = skip ? test.skip : test;

/** A finding trace's steps (the actors by step), so the page is checked against the trace, whatever its length. */
function traceSteps(name: string): { readonly actor: string }[] {
  return (JSON.parse(readFileSync(join('counterexamples', 'findings', `${name}.json`), 'utf8')) as { steps: { actor: string }[] }).steps;
}
if (skip) test('viewer: skipped (CRAMCHECK_NO_BROWSER=1)', (t) => t.pass());

maybe('viewer: the page is self-contained (no external script, style or link)', async (t) => {
  const html = readFileSync(await view('swapin-wrprotect'), 'utf8');
  t.notRegex(html, /<script[^>]+src=|<link |https?:\/\//);
});

maybe('viewer: steps through swapin-wrprotect in chromium: calls, picture, changes, machines, the violation at the end', async (t) => {
  const file = await view('swapin-wrprotect');
  const steps = traceSteps('swapin-wrprotect');
  const n = steps.length;
  const kswapdStep = steps.findIndex((s) => s.actor === 'kswapd(N0)') + 1;
  t.true(kswapdStep > 1);
  await withPage(file, async (page) => {
    t.is(await page.textContent('#counter'), `step 0 / ${n}`);
    t.true(await page.isHidden('#violation'));
    t.true(await page.isDisabled('#prev'));
    // Two nodes drawn, the private one with its zone and the device gauge with both thresholds.
    t.is(await page.locator('.node').count(), 2);
    t.regex((await page.textContent('.node.private')) ?? '', /ZONE_MOVABLE: 2 free of 2/);
    t.regex((await page.textContent('#device')) ?? '', /0 of 8 units used.*lthresh 4.*hthresh 0/s);

    await page.click('#next');
    t.is(await page.textContent('#counter'), `step 1 / ${n}`);
    t.regex((await page.textContent('#calls')) ?? '', /mmap\(mm 0, v0, anon\) = 0/);
    t.is(await page.textContent('.thread.acting .title'), 'CPU0');

    await page.keyboard.press('ArrowRight');
    t.regex((await page.textContent('#calls')) ?? '', /do_anonymous_page/);
    // The new folio on N0 is highlighted as changed, with its PTE.
    const folio = page.locator('.page.changed', { hasText: 'pfn 0' });
    t.is(await folio.count(), 1);
    t.regex((await folio.textContent()) ?? '', /PTE v0 rw/);

    await page.click('#end');
    t.is(await page.textContent('#counter'), `step ${n} / ${n}`);
    t.true(await page.isVisible('#violation'));
    t.regex((await page.textContent('#violation')) ?? '', new RegExp(`INV-RO fails after step ${n}.*writable present PTE maps pfn 2`, 's'));
    t.regex((await page.textContent('#calls')) ?? '', /do_swap_page\(mm 0, v0, slot 0\) -> pfn 2 \(N1\) writable/);
    // The P folio now mapped writable, drawn changed, on the private node.
    const p = page.locator('.node.private .page.changed', { hasText: 'pfn 2' });
    t.regex((await p.textContent()) ?? '', /PTE v0 rw/);
    // The folio protocol machine's state for pfn 2 is shown and changed.
    const row = page.locator('#machines tr.changed', { hasText: 'pfn 2' });
    t.true((await row.count()) >= 1);

    await page.fill('#slider', String(kswapdStep));
    t.is(await page.textContent('#counter'), `step ${kswapdStep} / ${n}`);
    t.true(await page.isHidden('#violation'));
    t.regex((await page.textContent('#step-title')) ?? '', new RegExp(`Step ${kswapdStep}: kswapd\\(N0\\)`));
  });
});

maybe('viewer: a two-thread race shows both threads as columns (set-pressure-serialized)', async (t) => {
  const file = await view('set-pressure-serialized');
  const hthresh = traceSteps('set-pressure-serialized').findIndex((s) => s.actor === 'irq-hthresh') + 1;
  t.true(hthresh > 0);
  await withPage(file, async (page) => {
    await page.fill('#slider', String(hthresh));
    t.is(await page.textContent('.thread.acting .title'), 'hthresh IRQ thread');
    const titles = await page.locator('.thread .title').allTextContents();
    for (const a of ['CPU0', 'kswapd(N0)', 'lthresh IRQ thread', 'hthresh IRQ thread']) t.true(titles.includes(a), a);
  });
});
