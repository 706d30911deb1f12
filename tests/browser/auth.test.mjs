// Main journeys of the foundation: every role logs in, a doctor enrols and uses the second
// factor, a password is reset through the e-mail link; each page passes axe-core.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEnvironment, totp, waitForMail, assertAccessible, login, DEMO_PASSWORD } from './harness.mjs';

let env;

before(async () => { env = await startEnvironment(); });
after(async () => { await env?.stop(); });

const roles = [
  ['admin', 'Espace Administrateur'],
  ['direction', 'Espace Direction'],
  ['assistant', 'Espace Assistant(e) en santé au travail'],
  ['preventeur', 'Espace Préventeur'],
  ['employeur', 'Espace Employeur'],
];

test('each role without mandatory second factor logs in and sees its home page', async () => {
  const page = await env.newPage();
  await page.goto('/login');
  await assertAccessible(page);
  for (const [user, greeting] of roles) {
    await login(page, user, DEMO_PASSWORD);
    assert.equal((await page.locator('#role-greeting').textContent()).trim(), greeting);
    await assertAccessible(page);
    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    assert.match(await page.locator('.notice').textContent(), /déconnecté/);
  }
  // The employer can also log in with the establishment's SIRET and an e-mail.
  await login(page, 'employeur@example.org', DEMO_PASSWORD, '73282932000074');
  assert.equal((await page.locator('#role-greeting').textContent()).trim(), 'Espace Employeur');
  await page.context().close();
});

test('a wrong password is refused with a French message', async () => {
  const page = await env.newPage();
  await login(page, 'admin', 'pas le bon mot de passe');
  assert.equal((await page.locator('#login-error').textContent()).trim(), 'Identifiant ou mot de passe incorrect.');
  await page.context().close();
});

test('a doctor enrols the second factor, then logs in with a code', async () => {
  const page = await env.newPage();
  await login(page, 'medecin', DEMO_PASSWORD);
  assert.match(page.url(), /\/account\/2fa$/);
  await assertAccessible(page);
  const secret = (await page.locator('#totp-secret').textContent()).trim();
  await page.getByLabel('Code à 6 chiffres').fill(totp(secret));
  await page.getByRole('button', { name: 'Activer' }).click();
  assert.equal(await page.locator('#recovery-codes li').count(), 10);
  await page.getByRole('link', { name: 'Continuer' }).click();
  assert.equal((await page.locator('#role-greeting').textContent()).trim(), 'Espace Médecin du travail');
  await page.getByRole('button', { name: 'Se déconnecter' }).click();

  await login(page, 'medecin', DEMO_PASSWORD);
  assert.match(page.url(), /\/login\/2fa$/);
  await assertAccessible(page);
  await page.getByLabel('Code').fill(totp(secret, 1));
  await page.getByRole('button', { name: 'Valider' }).click();
  assert.equal((await page.locator('#role-greeting').textContent()).trim(), 'Espace Médecin du travail');
  await page.context().close();
});

test('a password is reset through the link received by e-mail', async () => {
  const page = await env.newPage();
  await page.goto('/password/forgot');
  await assertAccessible(page);
  await page.getByLabel('Identifiant ou e-mail').fill('assistant');
  await page.getByRole('button', { name: 'Recevoir le lien' }).click();
  assert.ok(await page.locator('#reset-sent').isVisible());
  const body = await waitForMail(env.maildir, 'assistant@spsti.example');
  const link = /http:\/\/\S+\/password\/reset\/[\w-]+/.exec(body)?.[0];
  assert.ok(link, `reset link in: ${body}`);
  await page.goto(link);
  await assertAccessible(page);
  await page.getByLabel('Nouveau mot de passe').fill('un nouveau mot de passe');
  await page.getByLabel('Confirmation').fill('un nouveau mot de passe');
  await page.getByRole('button', { name: 'Enregistrer' }).click();
  assert.match(await page.locator('.notice').textContent(), /Mot de passe enregistré/);
  await login(page, 'assistant', 'un nouveau mot de passe');
  assert.equal((await page.locator('#role-greeting').textContent()).trim(), 'Espace Assistant(e) en santé au travail');
  // The link works once.
  const again = await page.goto(link);
  assert.equal(again.status(), 410);
  await page.context().close();
});
