import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { App } from '../app.ts';
import { createCampaign } from '../campaigns/create-campaign.ts';
import { findCampaignId } from '../campaigns/find-campaign-id.ts';
import { getCampaign } from '../campaigns/get-campaign.ts';
import { listCampaigns } from '../campaigns/list-campaigns.ts';
import { updateCampaign } from '../campaigns/update-campaign.ts';
import type { SignInLimiter } from '../console/sign-in-limit.ts';
import { parseDelimiterOption } from '../contacts/detect-delimiter.ts';
import { resolveImportIds, writeRejectionsCsv } from '../contacts/export-rejections.ts';
import { importContacts } from '../contacts/import-contacts.ts';
import { httpImportWording } from '../contacts/import-wording.ts';
import { parseEncodingOption } from '../contacts/text-decoder-stream.ts';
import { getCampaignStatus } from '../campaigns/campaign-status.ts';
import { cancelCampaign, pauseCampaignByOperator, resumeCampaign, startCampaign, type LifecycleResult } from '../campaigns/lifecycle.ts';
import { DialerError } from '../errors.ts';
import { exportResults, toJsonResult } from '../results/export-results.ts';
import { maxPageSize, readResultsPage } from '../results/read-results-page.ts';
import { readContactDetail } from '../results/read-contact-detail.ts';
import { spoolUpload } from '../uploads/spool-upload.ts';
import { makeBearerAuth } from './bearer-auth.ts';

const uploadQuery = z.object({
  fileName: z
    .string()
    .regex(/^[A-Za-z0-9._ -]{1,120}$/, 'letters, digits, space and . _ - only (at most 120)')
    .optional(),
  phoneColumn: z.string().min(1).optional(),
  defaultCountry: z.string().min(1).optional(),
  delimiter: z.string().min(1).optional(),
  encoding: z.string().min(1).optional(),
});

const lifecycle: Record<string, (app: App, id: string) => Promise<LifecycleResult>> = {
  start: (app, id) => startCampaign(app, id),
  pause: pauseCampaignByOperator,
  resume: resumeCampaign,
  cancel: cancelCampaign,
};

const resultsQuery = z.object({
  after: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(maxPageSize).default(500),
  format: z.enum(['json', 'csv']).default('json'),
});

/** The operator API under /api, behind the bearer token. Thin: every route calls a service function. */
export async function operatorRoutes(server: FastifyInstance, { app, signInLimiter }: { app: App; signInLimiter: SignInLimiter }): Promise<void> {
  server.register(async (api) => {
    api.addHook('onRequest', makeBearerAuth(app.config.API_TOKEN, signInLimiter));
    // A CSV upload is handed over as the raw request stream: never buffered, whatever its size.
    api.addContentTypeParser(['text/csv', 'application/octet-stream'], (_request, payload, done) => done(null, payload));

    api.post('/api/campaigns', async (request, reply) => {
      if (typeof request.body !== 'object' || request.body === null) {
        throw new DialerError('invalid_input', 'send the campaign config as a JSON object (content-type: application/json)', 'body');
      }
      return reply.code(201).send(await createCampaign(app, request.body));
    });

    api.put<{ Params: { campaign: string } }>('/api/campaigns/:campaign', async (request) => {
      if (typeof request.body !== 'object' || request.body === null) {
        throw new DialerError('invalid_input', 'send the campaign config as a JSON object (content-type: application/json)', 'body');
      }
      return updateCampaign(app, await findCampaignId(app.pool, request.params.campaign), request.body);
    });

    api.get('/api/campaigns', async () => ({ campaigns: await listCampaigns(app) }));

    api.get<{ Params: { campaign: string } }>('/api/campaigns/:campaign', async (request) => {
      return getCampaign(app, await findCampaignId(app.pool, request.params.campaign));
    });

    api.get<{ Params: { campaign: string } }>('/api/campaigns/:campaign/status', async (request) => {
      return getCampaignStatus(app, await findCampaignId(app.pool, request.params.campaign));
    });

    api.post<{ Params: { campaign: string; action: string } }>('/api/campaigns/:campaign/:action', async (request) => {
      const act = lifecycle[request.params.action];
      if (!act) throw new DialerError('not_found', `unknown action "${request.params.action}": start, pause, resume or cancel`, 'action');
      return act(app, await findCampaignId(app.pool, request.params.campaign));
    });

    // A multipart upload's file part is streamed too, cut at MAX_UPLOAD_BYTES. Two files are let through
    // the parser so that a second one is refused with a clear error rather than ignored.
    await api.register(multipart, { limits: { files: 2, fileSize: app.config.MAX_UPLOAD_BYTES } });

    api.post<{ Params: { campaign: string }; Querystring: Record<string, string> }>('/api/campaigns/:campaign/contacts', async (request, reply) => {
      const query = parseQuery(uploadQuery, request.query);
      const campaignId = await findCampaignId(app.pool, request.params.campaign);
      // Spooled to disk (flat memory), then imported by the same all-or-nothing pipeline as `dialer import`.
      const directory = await mkdtemp(path.join(tmpdir(), 'dialer-upload-'));
      try {
        const upload = await spoolUpload(request, reply, directory, query.fileName, app.config.MAX_UPLOAD_BYTES);
        const summary = await importContacts(app, {
          campaignId,
          file: upload.file,
          // Errors and the summary name the upload and the query parameters, never the spooled path.
          wording: httpImportWording(upload.name),
          phoneColumn: query.phoneColumn,
          defaultCountry: query.defaultCountry,
          delimiter: query.delimiter === undefined ? undefined : parseDelimiterOption(query.delimiter),
          encoding: query.encoding === undefined ? undefined : parseEncodingOption(query.encoding),
        });
        return reply.code(201).send(summary);
      } finally {
        await rm(directory, { recursive: true, force: true });
      }
    });

    api.get<{ Params: { campaign: string } }>('/api/campaigns/:campaign/rejections', async (request, reply) => {
      const campaignId = await findCampaignId(app.pool, request.params.campaign);
      const importIds = await resolveImportIds(app.pool, campaignId);
      const body = new PassThrough();
      writeRejectionsCsv(app.pool, importIds, body).then(
        () => body.end(),
        (error: unknown) => body.destroy(error instanceof Error ? error : new Error(String(error))),
      );
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="rejections-${campaignId}.csv"`).send(body);
    });

    api.get<{ Params: { campaign: string; contact: string } }>('/api/campaigns/:campaign/contacts/:contact', async (request) => {
      return readContactDetail(app.pool, await findCampaignId(app.pool, request.params.campaign), request.params.contact);
    });

    api.get<{ Params: { campaign: string }; Querystring: Record<string, string> }>('/api/campaigns/:campaign/results', async (request, reply) => {
      const query = parseQuery(resultsQuery, request.query);
      const campaignId = await findCampaignId(app.pool, request.params.campaign);
      if (query.format === 'csv') {
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="results-${campaignId}.csv"`)
          .send(Readable.from(exportResults(app.pool, campaignId, 'csv')));
      }
      const page = await readResultsPage(app.pool, campaignId, { after: query.after ?? null, limit: query.limit });
      return { results: page.rows.map(toJsonResult), nextCursor: page.nextCursor };
    });
  });
}

function parseQuery<T extends z.ZodType>(schema: T, query: unknown): z.output<T> {
  const parsed = schema.safeParse(query);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new DialerError('invalid_input', `${issue.path.join('.')}: ${issue.message}`, issue.path.join('.'));
}
