// Light or dark: the system's preference unless the user chose one (kept in localStorage).
import { useEffect, useState } from 'preact/hooks';

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
  useEffect(() => {
    apply(choice);
    if (choice === 'system') localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, choice);
  }, [choice]);
  const next = (): void => {
    const dark = window.matchMedia('(prefers-color-scheme: dark)').matches;
    // Cycle through the explicit opposite of what is shown, then back to the system's.
    setChoice((c) =>
      c === 'system' ? (dark ? 'light' : 'dark') : c === 'light' ? 'dark' : 'system',
    );
  };
  return [choice, next];
}
