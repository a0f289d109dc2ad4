// The gateway's one event catalogue.
import { EventCatalogue } from './catalogue.js';
import { defineSessionEvents } from './session-events.js';
import { defineAgentEvents } from './agent-events.js';
import { defineOrchestrationEvents } from './orchestration-events.js';
import { defineReviewEvents } from './review-events.js';
import { definePipelineEvents } from './pipeline-events.js';

export function createCatalogue(): EventCatalogue {
  const c = new EventCatalogue();
  defineSessionEvents(c);
  defineAgentEvents(c);
  defineOrchestrationEvents(c);
  defineReviewEvents(c);
  definePipelineEvents(c);
  return c;
}

export { EventCatalogue, EventDecodeError, EventValidationError } from './catalogue.js';
