import { App } from './app';
import './style.css';

/** Boots the page: the app reads the URL (preset, settings, cell) and trains. */
const app = new App(document.getElementById('app')!);
(window as unknown as { gradsheet: App['api'] }).gradsheet = app.api;
void app.start().catch((err: Error) => {
  const box = document.getElementById('app')!;
  const p = document.createElement('p');
  p.className = 'message error';
  p.textContent = `gradsheet could not start: ${err.message}`;
  box.prepend(p);
});
