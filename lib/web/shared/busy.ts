/**
 * The visible busy state of every action: the button is disabled, says what is happening, and its
 * region is aria-busy, until the work settles. A second press while busy does nothing.
 */

export async function whileBusy<T>(
  button: HTMLButtonElement,
  label: string,
  work: () => Promise<T>,
): Promise<T | undefined> {
  if (button.dataset['busy'] === 'true') return undefined;
  const idle = button.textContent ?? '';
  const region = button.closest('section, form, [role="dialog"]') ?? document.body;
  button.dataset['busy'] = 'true';
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  region.setAttribute('aria-busy', 'true');
  button.textContent = label;
  document.body.classList.add('is-busy');
  try {
    return await work();
  } finally {
    // The work may have relabelled the button (收款 → 重试收款): only the busy label is undone.
    if (button.textContent === label) button.textContent = idle;
    button.disabled = false;
    button.removeAttribute('aria-busy');
    region.removeAttribute('aria-busy');
    delete button.dataset['busy'];
    if (!document.querySelector('[data-busy="true"]')) document.body.classList.remove('is-busy');
  }
}
