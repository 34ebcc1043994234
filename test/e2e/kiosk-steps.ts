/** Steps shared by the kiosk's browser tests: setting up a fresh kiosk through the admin's door. */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { WebHarness } from './harness.js';

export const KIOSK = { width: 1080, height: 1920 };

export const screenOf = (page: Page) => () => page.locator('#screen').getAttribute('data-screen');

/** A fresh kiosk: the admin's token opens the settings, the kiosk token and terminal id are saved. */
export async function setUpKiosk(w: WebHarness, page: Page, terminal: string): Promise<void> {
  await page.goto(`${w.url}/kiosk/`);
  await expect.poll(screenOf(page)).toBe('admin-sign-in');
  await page.getByLabel('管理员令牌').fill(await w.api.token('admin'));
  await page.getByRole('button', { name: '验证管理员' }).click();
  await expect.poll(screenOf(page)).toBe('setup');
  await page.getByLabel('终端令牌').fill(await w.api.token('kiosk', { sub: 'kiosk-lobby' }));
  await page.getByLabel('终端编号').fill(terminal);
  await page.getByRole('button', { name: '保存设置' }).click();
  await expect.poll(screenOf(page)).toBe('home');
}
