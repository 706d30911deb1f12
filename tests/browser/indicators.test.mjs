// The director reads the dashboard of the last complete year, opens the no-show table, drills
// down by month and gets the annual report; every page passes axe-core.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEnvironment, assertAccessible, login } from './harness.mjs';

let env;
const lastYear = String(new Date().getFullYear() - 1);

before(async () => { env = await startEnvironment(); });
after(async () => { await env?.stop(); });

test('a director follows the indicators from the dashboard to a table and the report', async () => {
  const page = await env.newPage();
  await login(page, 'direction');
  await page.getByRole('link', { name: 'Indicateurs' }).first().click();
  await page.getByLabel('Année').fill(lastYear);
  await page.getByRole('button', { name: 'Afficher' }).click();
  await assertAccessible(page);
  const figures = await page.locator('#figures').textContent();
  assert.match(figures, /Taux d'absence aux rendez-vous/);
  assert.match(figures, /\d+,\d %/, 'a no-show rate is shown');
  assert.equal(await page.locator('svg.chart').count(), 4);
  await page.getByRole('link', { name: /K4 — Absentéisme aux rendez-vous/ }).click();
  await assertAccessible(page);
  assert.equal(await page.locator('#indicator tbody tr').count(), 3, 'doctors, nurses, all');
  await page.getByRole('link', { name: 'par mois' }).click();
  assert.ok(await page.locator('#indicator tbody tr').count() >= 1);
  await assertAccessible(page);
  const report = await env.newPage();
  await login(report, 'direction');
  await report.goto(`${env.baseUrl}/indicators/report?year=${lastYear}`);
  assert.match(await report.locator('h1').textContent(), new RegExp(`Rapport annuel d'activité ${lastYear}`));
  await assertAccessible(report);
});
