// Members journeys: an employer edits and submits the yearly declaration and downloads an
// invoice in the portal; an assistant finds the company by SIRET.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEnvironment, assertAccessible, login } from './harness.mjs';

let env;
const year = new Date().getFullYear();

before(async () => { env = await startEnvironment(); });
after(async () => { await env?.stop(); });

test('an employer corrects the declaration, submits it and downloads an invoice', async () => {
  const page = await env.newPage();
  await login(page, 'employeur');
  await page.getByRole('link', { name: 'Mon entreprise' }).first().click();
  assert.equal((await page.locator('#portal-company').textContent()).trim(), 'Boulangerie Martin');
  await assertAccessible(page);
  await page.goto(`/portal/declarations/${year}`);
  await assertAccessible(page);
  // The demo declaration is submitted: a correction opens version 2 with the same lines.
  await page.getByRole('button', { name: 'Corriger (nouvelle version)' }).click();
  assert.match(await page.locator('#declaration-status').textContent(), /Version 2 en cours de saisie/);
  const before = Number(await page.locator('#total').textContent());
  const hire = page.locator('#hire-form');
  await hire.getByLabel('Nom', { exact: true }).fill('Nouveau');
  await hire.getByLabel('Prénom').fill('Paul');
  await hire.getByLabel('Sexe').selectOption('M');
  await hire.getByLabel('Date de naissance').fill('1990-04-12');
  await hire.getByLabel('Poste', { exact: true }).fill('Livreur de nuit');
  await hire.getByLabel('Contrat').selectOption('CDI');
  await hire.getByLabel("Date d'embauche").fill(`${year}-01-05`);
  await hire.getByLabel('Travailleur de nuit').check();
  await hire.getByRole('button', { name: "Déclarer l'embauche" }).click();
  assert.equal(Number(await page.locator('#total').textContent()), before + 1);
  const row = page.locator('#lines tr', { hasText: 'NOUVEAU Paul' });
  assert.equal((await row.locator('td.category').textContent()).trim(), 'SIA');
  await page.getByRole('button', { name: 'Transmettre la déclaration' }).click();
  assert.match(await page.locator('#declaration-status').textContent(), /Version 2 transmise/);

  await page.goto('/portal/invoices');
  await assertAccessible(page);
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Télécharger' }).first().click();
  const file = await download;
  assert.match(file.suggestedFilename(), /^facture-\d{4}-\d{6}\.pdf$/);
  const stream = await file.createReadStream();
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  assert.ok(Buffer.concat(chunks).subarray(0, 5).equals(Buffer.from('%PDF-')));
  await page.context().close();
});

test('an assistant finds a company by its SIRET', async () => {
  const page = await env.newPage();
  await login(page, 'assistant');
  await page.getByRole('link', { name: 'Adhérents' }).first().click();
  await assertAccessible(page);
  await page.getByLabel('Nom, SIRET, ville ou code NAF').fill('73282932000074');
  await page.getByRole('button', { name: 'Rechercher' }).click();
  assert.equal((await page.locator('#result-count').textContent()).trim(), '1 résultat(s)');
  await page.getByRole('link', { name: 'Boulangerie Martin' }).click();
  assert.equal((await page.locator('#siret').textContent()).trim(), '73282932000074');
  await assertAccessible(page);
  await page.context().close();
});
