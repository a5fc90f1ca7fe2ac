import { render } from 'preact';
import '../styles.css';
import { App } from './app.js';
import { initTheme } from './theme.js';

initTheme();
const root = document.getElementById('app');
if (root) render(<App />, root);
