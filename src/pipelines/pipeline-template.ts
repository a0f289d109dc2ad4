// Step prompt templates: {{input}} (the request's text), {{previous}} (the previous step's whole answer; the input for
// the first step) and {{steps.N.text}} (step N's answer, 1-based, N before this step). A step without a template
// gets {{previous}}. Every placeholder of every step is checked before the first step starts: anything else
// between {{ and }} (a typo, a later step, a step that does not exist) is refused naming it.
import { Rejected } from '../errors/rejection.js';

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const STEP_TEXT = /^steps\.(\d{1,4})\.text$/;

export const DEFAULT_TEMPLATE = '{{previous}}';

/** Throw `unknown_placeholder` (400) naming the first placeholder of `template` that step `step` cannot fill. */
export function checkTemplate(template: string, step: number): void {
  for (const m of template.matchAll(PLACEHOLDER)) {
    const name = m[1]!;
    if (name === 'input' || name === 'previous') continue;
    const n = STEP_TEXT.exec(name);
    if (n && Number(n[1]) >= 1 && Number(n[1]) < step) continue;
    const why = n ? (Number(n[1]) >= step ? `step ${step} runs before step ${n[1]} has an answer` : 'steps are numbered from 1') : 'known: {{input}}, {{previous}}, {{steps.N.text}}';
    throw new Rejected('unknown_placeholder', `steps[${step - 1}].prompt_template: unknown placeholder '${m[0]}' (${why})`, { placeholder: m[0], step });
  }
}

/** The prompt of step `step` (1-based) from its template, the input and the answers of the steps before it. */
export function renderTemplate(template: string | null, step: number, input: string, answers: readonly string[]): string {
  return (template ?? DEFAULT_TEMPLATE).replace(PLACEHOLDER, (whole, name: string) => {
    if (name === 'input') return input;
    if (name === 'previous') return step === 1 ? input : (answers[step - 2] ?? '');
    const n = STEP_TEXT.exec(name);
    return n ? (answers[Number(n[1]) - 1] ?? '') : whole;
  });
}
