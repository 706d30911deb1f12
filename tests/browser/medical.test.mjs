// A doctor's day: enrol the second factor, open the day, record a visit with its opinion,
// see it in the file; the employer finds the document in the portal, without medical content.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEnvironment, assertAccessible, login, totp, DEMO_PASSWORD } from './harness.mjs';

let env;
const CANARY = 'CANARI-NAVIGATEUR-5521';

// The server logs at debug level here: the test checks that no medical content reaches it.
before(async () => { env = await startEnvironment({ log: 'debug' }); });
after(async () => { await env?.stop(); });

/// The outcome and document each kind of visit allows (REGULATION.md "Who may do what").
function outcomeFor(kind) {
  if (kind.startsWith('EMA_') || kind === 'RETURN_TO_WORK' || kind === 'ON_DEMAND') return 'fit_with_adjustments';
  if (['VIP_INITIAL', 'VIP_PERIODIC', 'SIR_INTERMEDIATE', 'MID_CAREER'].includes(kind)) return 'follow_up_certificate';
  return null;
}

test('a doctor records a visit and the employer reads the opinion', async () => {
  const page = await env.newPage();
  await login(page, 'medecin', DEMO_PASSWORD);
  const secret = (await page.locator('#totp-secret').textContent()).trim();
  await page.getByLabel('Code à 6 chiffres').fill(totp(secret));
  await page.getByRole('button', { name: 'Activer' }).click();
  await page.getByRole('link', { name: 'Continuer' }).click();

  await page.getByRole('link', { name: 'Ma journée' }).first().click();
  await assertAccessible(page);
  const links = await page.getByRole('link', { name: 'Enregistrer la visite' }).all();
  assert.ok(links.length > 0, 'the demo doctor has appointments today');
  let recorded = false;
  for (let i = 0; i < links.length && !recorded; i++) {
    await page.getByRole('link', { name: 'Enregistrer la visite' }).nth(i).click();
    const kind = await page.locator('#kind').inputValue();
    const outcome = outcomeFor(kind);
    if (!outcome) { await page.goBack(); continue; }
    await assertAccessible(page);
    await page.getByLabel('Examen clinique').fill(`Rachialgies ${CANARY}`);
    await page.getByLabel('Taille (cm)').fill('172');
    await page.getByLabel('Poids (kg)').fill('71,5');
    await page.getByLabel('Conclusion').selectOption(outcome);
    await page.getByLabel(/^Recommandations/).fill('Pas de port de charges de plus de 10 kg');
    await page.getByRole('button', { name: 'Enregistrer la visite' }).click();
    await page.locator('#visits').waitFor();
    recorded = true;
  }
  assert.ok(recorded, 'a visit of the day can end with a document');
  assert.match(await page.locator('#visits').textContent(), /IMC 24,2|IMC 24\.2/);
  assert.match(await page.locator('#entries').textContent(), new RegExp(CANARY));
  await assertAccessible(page);
  await page.context().close();

  const boss = await env.newPage();
  await login(boss, 'employeur');
  await boss.getByRole('link', { name: 'Attestations et avis' }).first().click();
  await assertAccessible(boss);
  const rows = await boss.locator('#portal-documents tbody tr').count();
  assert.ok(rows > 0);
  assert.match(await boss.locator('#portal-documents').textContent(), /Attestation de suivi|Avis d'aptitude/);
  assert.ok(!(await boss.content()).includes(CANARY), 'no medical content in the portal');
  const code = (await boss.locator('#portal-documents tbody tr td').nth(3).textContent()).trim();
  await boss.goto(`/verify?code=${code}`);
  assert.match(await boss.locator('#verified').textContent(), /Document authentique/);
  await assertAccessible(boss);
  await boss.context().close();
  assert.ok(env.serverLog().length > 1000, 'the server logged the journey');
  assert.ok(!env.serverLog().includes(CANARY), 'no medical content in the server log');
});
