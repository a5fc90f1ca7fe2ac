// Light or dark: the system's preference unless the user chose one (kept in localStorage).
import { useState } from 'preact/hooks';

export type ThemeChoice = 'light' | 'dark' | 'system';
const KEY = 'aion.console.theme';

function stored(): ThemeChoice {
  const v = localStorage.getItem(KEY);
  return v === 'light' || v === 'dark' ? v : 'system';
}

function apply(choice: ThemeChoice): void {
  if (choice === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = choice;
}

/** Applies the stored choice before the first render (no flash of the other theme). */
export function initTheme(): void {
  apply(stored());
}

export function useTheme(): [ThemeChoice, () => void] {
  const [choice, setChoice] = useState<ThemeChoice>(stored);
  const next = (): void => {
    const dark = window.matchMedia('(prefers-color-scheme: dark)').matches;
    // Cycle through the explicit opposite of what is shown, then back to the system's.
    const to: ThemeChoice =
      choice === 'system' ? (dark ? 'light' : 'dark') : choice === 'light' ? 'dark' : 'system';
    // Applied at once (not in an effect): the page changes in the same frame as the button.
    apply(to);
    if (to === 'system') localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, to);
    setChoice(to);
  };
  return [choice, next];
}
