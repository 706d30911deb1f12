// A prevention programme end to end: the director creates it and targets the demo employer,
// the employer completes its profile, E0 and E1, the team's preventer validates E1, the
// employer sees it validated and E2 open. Every page passes axe-core.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEnvironment, assertAccessible, login } from './harness.mjs';

let env;

before(async () => { env = await startEnvironment(); });
after(async () => { await env?.stop(); });

test('an employer completes E1 and the preventer validates it', async () => {
  const employer = await env.newPage();
  await login(employer, 'employeur');
  await employer.goto(`${env.baseUrl}/portal`);
  const siret = (await employer.locator('dl.facts').textContent()).match(/\d{14}/)[0];

  const director = await env.newPage();
  await login(director, 'direction');
  await director.getByRole('link', { name: 'Programmes' }).first().click();
  await assertAccessible(director);
  await director.getByLabel('Nom').fill('TMS Pros navigateur');
  await director.getByLabel('Thème').fill('TMS');
  await director.getByLabel('Début').fill('2026-01-01');
  await director.getByLabel('Fin').fill('2027-12-31');
  await director.getByRole('button', { name: 'Créer le programme' }).click();
  await director.getByLabel(/SIRET des établissements/).fill(siret);
  await director.getByRole('button', { name: 'Cibler', exact: true }).click();
  assert.match(await director.locator('#notice').textContent(), /1 entreprise\(s\) ciblée\(s\)/);
  await assertAccessible(director);
  const programmeUrl = director.url().replace(/\/targets$/, '');

  await employer.getByRole('link', { name: 'Programmes de prévention' }).first().click();
  await employer.getByRole('link', { name: 'TMS Pros navigateur' }).click();
  await assertAccessible(employer);
  await employer.getByLabel('Effectif (nombre de salariés)').fill('12');
  await employer.getByRole('button', { name: 'Enregistrer le profil' }).click();
  await employer.getByLabel("Référent du programme dans l'entreprise").fill('Mme Martin');
  await employer.getByRole('button', { name: "Transmettre l'étape E0" }).click();
  assert.equal(await employer.locator('#status-0').textContent(), 'validée');
  await employer.getByLabel('Nombre de TMS reconnus ces 3 dernières années').fill('2');
  await employer.getByLabel('Des absences liées aux TMS ont-elles été constatées ?').selectOption('oui');
  await employer.getByRole('button', { name: "Transmettre l'étape E1" }).click();
  assert.equal(await employer.locator('#status-1').textContent(), 'transmise, en attente de validation');
  await assertAccessible(employer);

  const preventer = await env.newPage();
  await login(preventer, 'preventeur');
  await preventer.goto(programmeUrl);
  await preventer.locator('#portfolio').getByRole('link').first().click();
  await assertAccessible(preventer);
  await preventer.getByRole('button', { name: "Valider l'étape E1" }).click();
  await employer.reload();
  assert.equal(await employer.locator('#status-1').textContent(), 'validée');
  assert.ok(await employer.getByLabel('Personne ressource formée').isVisible(), 'E2 is open');
});
