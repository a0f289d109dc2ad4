// The web console's entry: renders the app into #app.
import { render } from 'preact';
import { html } from './html.js';
import { App } from './views/app.js';

render(html`<${App} />`, document.getElementById('app')!);
