// The administrator imports a file from the administration page (preview, confirmation,
// progress, report); the demo employer prepares the year's declaration from a DSN file.
// Every page passes axe-core.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEnvironment, assertAccessible, login } from './harness.mjs';

let env;

before(async () => { env = await startEnvironment(); });
after(async () => { await env?.stop(); });

test('an administrator previews, confirms and follows an import', async () => {
  const page = await env.newPage();
  await login(page, 'admin');
  await page.getByRole('link', { name: 'Imports' }).first().click();
  await assertAccessible(page);
  await page.setInputFiles('#file', {
    name: 'secteurs.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from('sector;name\nNAVIGATEUR;Secteur du test\n;\nSANS-NOM;\n'),
  });
  await page.getByRole('button', { name: 'Vérifier le fichier' }).click();
  const preview = await page.locator('#import-status').textContent();
  assert.match(preview, /Vérification/);
  assert.match(preview, /2 lus, 1 importés, 0 mis à jour, 0 inchangés, 1 rejetés/);
  assert.match(await page.locator('table').textContent(), /valeur obligatoire/);
  await assertAccessible(page);
  await page.getByRole('button', { name: "Confirmer l'import" }).click();
  await page.waitForFunction(() => /Import terminé/.test(document.querySelector('#import-status')?.textContent ?? ''));
  await assertAccessible(page);
  await page.goto(`${env.baseUrl}/organisation`);
  assert.match(await page.locator('main').textContent(), /Secteur du test/);
});

test('the demo employer prepares the declaration from a DSN file', async () => {
  const page = await env.newPage();
  await login(page, 'employeur');
  await page.goto(`${env.baseUrl}/portal`);
  const facts = await page.locator('dl.facts').textContent();
  const siret = facts.match(/\d{14}/)[0];
  const year = new Date().getFullYear();
  const dsn = [
    "S20.G00.05.001,'01'", `S20.G00.05.005,'0101${year}'`,
    `S21.G00.06.001,'${siret.slice(0, 9)}'`, `S21.G00.11.001,'${siret.slice(9)}'`,
    "S21.G00.30.001,'2850475123456'", "S21.G00.30.002,'Navigateur'", "S21.G00.30.004,'Camille'",
    "S21.G00.30.006,'12041985'", "S21.G00.40.001,'02012026'", "S21.G00.40.006,'Agent d'entretien'",
    "S21.G00.40.007,'01'", "S21.G00.34.001,'08'",
  ].join('\r\n');
  await page.setInputFiles('#dsn-file', { name: 'paie.dsn', mimeType: 'text/plain', buffer: Buffer.from(dsn) });
  await page.getByRole('button', { name: 'Préparer la déclaration' }).click();
  await page.waitForURL(new RegExp(`/portal/declarations/${year}$`));
  assert.match(await page.locator('main').textContent(), /Navigateur|NAVIGATEUR/);
  await assertAccessible(page);
});
