// POST /api/v1/webhooks/git (GitLab merge request hooks, GitHub pull_request and ping) and the reviews they start.
// The webhook route takes no bearer token: its callers are GitLab and GitHub, authenticated by the shared secret
// (webhooks/verify.ts), checked on the raw body before it is parsed. In order: no secret configured → 503
// webhooks_disabled; body over limits.max_body_bytes → 413; wrong or missing secret/signature → 401 (nothing
// started, nothing recorded); malformed JSON → 400; an event not reviewed → 202 {ignored}; a duplicate → 200
// {duplicate, review_id}; else 202 {review_id, session_id} at once, the review running on.
import { z } from 'zod';
import type { Route } from '../router.js';
import type { GatewayServices } from '../services.js';
import { HttpError } from '../errors.js';
import { scopeFor } from '../scopes.js';
import { verifyWebhook } from '../../webhooks/verify.js';
import { reviewDetailSchema, reviewSummarySchema } from '../schemas/reviews.js';
import { readGitlabDelivery } from '../../webhooks/gitlab-event.js';
import { readGithubDelivery } from '../../webhooks/github-event.js';

export function webhookRoutes(gw: GatewayServices): Route[] {
  return [
    {
      method: 'POST',
      path: '/api/v1/webhooks/git',
      auth: false,
      authenticatedBy: 'webhook_secret',
      doc: {
        operationId: 'gitWebhook',
        summary: 'A GitLab merge request hook or a GitHub pull_request event, authenticated by the webhook secret (not a token)',
        tag: 'reviews',
        body: z.looseObject({}),
        responses: {
          200: { description: 'ping answered, or a duplicate delivery: {duplicate: true, review_id}', json: z.looseObject({}) },
          202: { description: 'a review started ({review_id, session_id}), or the event ignored ({ignored})', json: z.looseObject({}) },
        },
        errors: { 400: 'invalid_json or invalid_request', 401: 'unauthorized: wrong or missing secret or signature', 503: 'webhooks_disabled' },
      },
      handler: async (ctx) => {
        const secret = gw.webhookSecret;
        if (secret === undefined) {
          throw new HttpError(503, 'webhooks_disabled', 'git webhooks are disabled: set AINTEGRIX_WEBHOOK_SECRET or webhooks.secret_file');
        }
        const raw = await ctx.readBody(gw.config.limits.max_body_bytes); // the signature is over these exact bytes
        const by = verifyWebhook(ctx.headers, raw, secret);
        let payload: unknown;
        try {
          payload = JSON.parse(raw.toString('utf8'));
        } catch (e) {
          throw new HttpError(400, 'invalid_json', `request body is not valid JSON: ${(e as Error).message}`);
        }
        const read = ctx.headers['x-github-event'] !== undefined ? readGithubDelivery(ctx.headers, payload) : readGitlabDelivery(ctx.headers, payload);
        if ('ping' in read) return { status: 200, json: { ok: true } };
        if ('ignored' in read) return { status: 202, json: { ignored: read.ignored } };
        const meta = { principal: `webhook:${read.review.provider}`, authenticated_by: by.by, request_id: ctx.requestId, client: ctx.client };
        let received;
        try {
          received = await gw.reviews.receive(read.review, meta);
        } catch (e) {
          // no agent to review with is the operator's configuration, not the sender's mistake
          if (e instanceof HttpError && e.code === 'no_route') return { status: 202, json: { ignored: `no reviewing agent: ${e.message} (webhooks.review_agent)` } };
          throw e;
        }
        if (received.duplicate) return { status: 200, json: { duplicate: true, review_id: received.review_id } };
        return { status: 202, json: { review_id: received.review_id, session_id: received.session_id } };
      },
    },
    {
      method: 'GET',
      path: '/api/v1/reviews',
      scope: scopeFor('list_reviews'),
      doc: { operationId: 'listReviews', summary: 'Reviews started by the git webhook, with their status', tag: 'reviews', responses: { 200: { description: 'the reviews', json: z.array(reviewSummarySchema) } } },
      handler: () => ({ status: 200, json: gw.reviews.list() }) },
    {
      method: 'GET',
      path: '/api/v1/reviews/:id',
      scope: scopeFor('read_review'),
      doc: {
        operationId: 'getReview',
        summary: 'One review: the request, its session, the review text, where it was posted',
        tag: 'reviews',
        params: { id: 'the review id' },
        responses: { 200: { description: 'the review', json: reviewDetailSchema } },
        errors: { 404: 'review_not_found' },
      },
      handler: (ctx) => ({ status: 200, json: gw.reviews.get(ctx.params[0]!) }) },
  ];
}
