// A preventer writes, finalises and delivers a fiche d'entreprise from the coverage plan;
// the employer reads it in the portal.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEnvironment, assertAccessible, login } from './harness.mjs';

let env;

before(async () => { env = await startEnvironment(); });
after(async () => { await env?.stop(); });

test('a preventer delivers a fiche the employer then reads', async () => {
  const page = await env.newPage();
  await login(page, 'preventeur');
  await page.getByRole('link', { name: 'Fiches à établir' }).first().click();
  await assertAccessible(page);
  await page.getByRole('link', { name: 'Boulangerie Martin' }).first().click();
  await page.getByRole('button', { name: /Commencer la fiche/ }).click();
  await page.locator('#finalise').click();
  assert.match(await page.locator('#form-error').textContent(), /au moins une unité de travail/);
  await page.getByLabel("Nom de l'unité").fill('Fournil');
  await page.getByLabel('Effectif', { exact: true }).fill('3');
  await page.locator('#family-0').selectOption('thermal');
  await page.locator('#description-0').fill('Chaleur des fours');
  await page.locator('#exposed-0').fill('2');
  await page.locator('#recommendations-0').fill('Pauses et eau fraîche');
  await page.getByRole('button', { name: "Ajouter l'unité" }).click();
  await assertAccessible(page);
  await page.locator('#finalise').click();
  await page.locator('#deliver').click();
  assert.match(await page.locator('#fiche-state').textContent(), /remise à l'employeur/);
  await page.context().close();

  const boss = await env.newPage();
  await login(boss, 'employeur');
  await boss.getByRole('link', { name: "Fiche d'entreprise" }).first().click();
  await assertAccessible(boss);
  assert.equal(await boss.locator('#portal-fiches tbody tr').count(), 1);
  assert.ok(await boss.getByRole('link', { name: 'Télécharger' }).isVisible());
  await boss.context().close();
});
