// Queues journeys: an assistant works through a team's queue, opens a worker, reads why a
// visit is due and records a request; an administrator saves a new edition of the schema.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEnvironment, assertAccessible, login } from './harness.mjs';

let env;
const today = new Date().toISOString().slice(0, 10);

before(async () => { env = await startEnvironment(); });
after(async () => { await env?.stop(); });

test('an assistant works through a queue and sees why a visit is due', async () => {
  const page = await env.newPage();
  await login(page, 'assistant');
  await page.getByRole('link', { name: "Files d'attente" }).first().click();
  assert.match(await page.locator('#queue-title').textContent(), /File médecin/);
  await assertAccessible(page);
  await page.getByLabel('File', { exact: true }).selectOption('nurse');
  await page.getByRole('button', { name: 'Afficher' }).click();
  assert.match(await page.locator('#queue-title').textContent(), /File infirmier/);
  const count = Number((await page.locator('#result-count').textContent()).trim().split(' ')[0]);
  assert.ok(count > 0, 'the demonstration queue is not empty');
  await assertAccessible(page);

  await page.locator('#queue tbody tr').first().locator('td a').first().click();
  await page.locator('#obligation-list').waitFor();
  await assertAccessible(page);
  await page.getByRole('link', { name: 'Expliquer' }).first().click();
  assert.match(await page.locator('#steps').textContent(), /\[[LR]\d{4}/);
  await assertAccessible(page);

  await page.goBack();
  await page.getByLabel('Visite demandée').selectOption('ON_DEMAND');
  await page.getByLabel('Demandeur').selectOption('employer');
  await page.getByLabel('Date de la demande').fill(today);
  await page.getByRole('button', { name: 'Enregistrer la demande' }).click();
  assert.match(await page.locator('p.notice').textContent(), /Demande enregistrée/);
  assert.match(await page.locator('#obligation-list').textContent(), /visite à la demande \(demandée par l'employeur\)/);
  await page.context().close();
});

test('an administrator saves a new edition of the priority schema', async () => {
  const page = await env.newPage();
  await login(page, 'admin');
  await page.getByRole('link', { name: 'Schéma de priorités' }).first().click();
  assert.equal((await page.locator('#edition').textContent()).trim(), '1');
  await assertAccessible(page);
  await page.getByLabel('Motif de la nouvelle édition').fill('Essai de la 12e édition');
  await page.getByRole('button', { name: 'Enregistrer une nouvelle édition' }).click();
  assert.equal((await page.locator('#edition').textContent()).trim(), '2');
  assert.match(await page.locator('#editions').textContent(), /Essai de la 12e édition/);

  // Removing every mid-career line leaves that visit in no queue: refused, nothing saved.
  for (const select of await page.locator('select[name=kind]').all()) {
    if ((await select.inputValue()) === 'MID_CAREER') await select.selectOption('');
  }
  await page.getByRole('button', { name: 'Enregistrer une nouvelle édition' }).click();
  assert.match(await page.locator('#form-error').textContent(), /MID_CAREER ne figure dans aucune file/);
  assert.equal((await page.locator('#edition').textContent()).trim(), '2');
  await assertAccessible(page);
  await page.context().close();
});
