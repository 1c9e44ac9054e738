// Honest encryption state in a real browser (#16 item 5): a room says "Encrypted" only while every
// member's connection is, names a plain spec client as soon as it joins, and a room hosted for
// encrypted members only says so and refuses that client.
import { expect, type Page } from '@playwright/test';
import { Status } from '../../src-shared/protocol/index.js';
import { handshake as rawHandshake, JOIN } from '../../test/support/raw-tcrp.js';
import { RawMember } from '../../test/support/raw-udp.js';
import { fillJoin, hostRoom } from '../fixtures/room-forms.js';
import { shot } from '../scenario.js';
import { test } from '../fixtures/two-users.js';

const badge = (page: Page) => page.getByTestId('room-encryption');

function ports(address: string): { tcpPort: number; udpPort: number } {
  const port = Number(address.split(':')[1]);
  return { tcpPort: port, udpPort: port };
}

test('a plain spec client is named, and "Encrypted" is said only without one', async ({ alice, bob }) => {
  const address = await hostRoom(alice.page, 'mixed');
  await fillJoin(bob.page, address, 'mixed', 'Bob');
  await expect(bob.page.getByRole('heading', { name: 'mixed', level: 1 })).toBeVisible();
  for (const page of [alice.page, bob.page]) await expect(badge(page)).toContainText(/^Encrypted/);

  const spec = await RawMember.join({ ...ports(address), room: 'mixed', username: 'mallory', tincan: false });
  try {
    for (const page of [alice.page, bob.page]) {
      await expect(badge(page)).toContainText('Not all encrypted');
      await expect(badge(page)).toContainText('plain connection: mallory');
      const row = page.getByRole('list', { name: 'Member list' }).getByRole('listitem').filter({ hasText: 'mallory' });
      await expect(row.getByText('plain', { exact: true })).toBeVisible();
    }
    await shot(alice.page, 'encryption-plain-member');
    await expect(
      alice.page.getByRole('list', { name: 'Member list' }).getByRole('listitem').filter({ hasText: 'Bob' }),
    ).not.toContainText('plain');
  } finally {
    spec.close();
  }
});

test('a room for encrypted members only says so and refuses a spec client', async ({ alice, bob }) => {
  const address = await hostRoom(alice.page, 'vault', { encryptedOnly: true });
  await expect(badge(alice.page)).toContainText('Encrypted · encrypted members only');
  const refused = await rawHandshake(ports(address).tcpPort, JOIN, 'vault', 'mallory');
  expect(refused.status).toBe(Status.ENCRYPTION_REQUIRED);

  await fillJoin(bob.page, address, 'vault', 'Bob');
  await expect(badge(bob.page)).toContainText('Encrypted · encrypted members only');
  // The choice is remembered for the next room this app hosts.
  await alice.page.getByRole('button', { name: 'Host a room' }).click();
  await expect(alice.page.getByLabel(/Encrypted members only/)).toBeChecked();
});
