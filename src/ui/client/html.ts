// htm bound to Preact's h: views are tagged templates, compiled by nothing but the browser (no JSX step).
import { h } from 'preact';
import htm from 'htm';

export const html = htm.bind(h);
