/**
 * The counter's keyboard, so the cashier's hands stay on the keys: function keys open the screens
 * (each button shows its key and says it in aria-keyshortcuts), Enter submits the form in focus (the
 * forms are real forms), Esc closes the innermost open dialog, and with nothing open clears the
 * search and puts the cursor back on 楼栋.
 */

export interface DeskKeys {
  /** F-key → what it opens. */
  shortcuts: Record<string, () => void>;
  /** Closers, innermost first: each closes its dialog and says true, or says false when not open. */
  escape: (() => boolean)[];
  /** Nothing open: back to the search. */
  idle: () => void;
  /** The desk is showing (not the sign-in). */
  active: () => boolean;
}

export function bindDeskKeys(k: DeskKeys): void {
  document.addEventListener('keydown', (e) => {
    if (!k.active() || e.altKey || e.ctrlKey || e.metaKey) return;
    const open = k.shortcuts[e.key];
    if (open) {
      e.preventDefault();
      open();
      return;
    }
    if (e.key !== 'Escape') return;
    e.preventDefault();
    for (const close of k.escape) if (close()) return;
    k.idle();
  });
}

/** A closer for a plain section: hides it when showing. */
export function closes(section: () => HTMLElement, close: () => void): () => boolean {
  return () => {
    if (section().hidden) return false;
    close();
    return true;
  };
}
