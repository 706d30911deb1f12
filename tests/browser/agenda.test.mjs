// Agenda journeys: an assistant plans a team's week, reviews and confirms the proposal, reads
// the agenda and the outbox; the employer sees the convocations and excuses a worker.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEnvironment, assertAccessible, login } from './harness.mjs';

let env;
const day = (offset) => new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10);

before(async () => { env = await startEnvironment(); });
after(async () => { await env?.stop(); });

test('an assistant plans a week, confirms it and follows the convocations', async () => {
  const page = await env.newPage();
  await login(page, 'assistant');
  await page.getByRole('link', { name: 'Planification' }).first().click();
  await assertAccessible(page);
  const teams = await page.locator('#team option').evaluateAll((options) => options.map((o) => o.value).filter(Boolean));
  let planned = false;
  for (const team of teams) {
    await page.getByLabel('Équipe').selectOption(team);
    await page.getByLabel('Du').fill(day(14));
    await page.getByLabel('Au').fill(day(20));
    await page.getByRole('button', { name: 'Proposer' }).click();
    await page.locator('#summary').waitFor();
    if (await page.locator('#confirm').count() === 0) continue;
    await assertAccessible(page);
    // Leave the first proposal out, confirm the rest.
    await page.locator('#placements input[name=drop]').first().check();
    await page.locator('#confirm').click();
    assert.match(await page.locator('#notice').textContent(), /rendez-vous réservés ; les convocations partent par la file d'envoi \(1 laissé/);
    planned = true;
    break;
  }
  assert.ok(planned, 'some team of the demonstration has a proposal');

  await page.getByRole('link', { name: 'Agendas' }).first().click();
  await page.getByLabel('Date', { exact: true }).fill(day(7));
  await page.getByLabel('Vue', { exact: true }).selectOption('week');
  await page.getByRole('button', { name: 'Afficher' }).click();
  assert.match(await page.locator('#period').textContent(), /Semaine du/);
  await assertAccessible(page);

  await page.getByRole('link', { name: 'Messages' }).first().click();
  assert.match(await page.locator('#outbox-counts').textContent(), /courriers à imprimer : \d+/);
  await assertAccessible(page);
  await page.context().close();
});

test('the employer sees the convocations of its workers and excuses one', async () => {
  const page = await env.newPage();
  await login(page, 'employeur');
  await page.getByRole('link', { name: 'Convocations' }).first().click();
  await assertAccessible(page);
  const rows = await page.locator('#portal-appointments tbody tr').count();
  assert.ok(rows > 0, 'the demonstration employer has convocations');
  await page.getByRole('button', { name: 'Excuser' }).first().click();
  assert.match(await page.locator('#notice').textContent(), /est excusé\(e\) pour le/);
  await assertAccessible(page);
  await page.context().close();
});
