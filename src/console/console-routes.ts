import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import multipart from '@fastify/multipart';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../app.ts';
import { readCampaignsProgress, readDialRateHistory } from '../campaigns/campaign-progress.ts';
import { getCampaignStatus } from '../campaigns/campaign-status.ts';
import { listConfigIssues, type ConfigIssue } from '../campaigns/config-issues.ts';
import { campaignConfigSchema } from '../campaigns/config-schema.ts';
import { createCampaign } from '../campaigns/create-campaign.ts';
import { getCampaignHeader } from '../campaigns/get-campaign.ts';
import { cancelCampaign, pauseCampaignByOperator, resumeCampaign, startCampaign, type LifecycleResult } from '../campaigns/lifecycle.ts';
import { listCampaignsUncounted } from '../campaigns/list-campaigns.ts';
import { parseConfigJson } from '../campaigns/read-config-file.ts';
import { resolveImportIds, writeRejectionsCsv } from '../contacts/export-rejections.ts';
import { importContacts } from '../contacts/import-contacts.ts';
import { httpImportWording } from '../contacts/import-wording.ts';
import { importDoNotCall } from '../do-not-call/import-do-not-call.ts';
import { DialerError, explainFailure, httpStatusByCode, isDialerError } from '../errors.ts';
import { exportResults } from '../results/export-results.ts';
import { readContactHistory } from '../results/read-contact-history.ts';
import { goalFilters, readResultsPage, type GoalFilter, type ResultsFilter } from '../results/read-results-page.ts';
import { makeDryRun } from '../scheduling/dry-run.ts';
import { listSchedules, scheduleCampaign, unscheduleCampaign } from '../scheduling/schedules.ts';
import { spoolUpload } from '../uploads/spool-upload.ts';
import { loadAssets } from './assets.ts';
import { makeCallInsights, type CallInsightsSource } from './call-insights-slot.ts';
import type { Html } from './html.ts';
import { campaignPage, doNotCallSummaryFragment, errorFragment, importSummaryFragment, liveSection } from './pages/campaign-page.ts';
import { campaignsPage } from './pages/campaigns-page.ts';
import { contactPage } from './pages/contact-page.ts';
import { errorPage } from './pages/error-page.ts';
import { campaignTemplate, newCampaignPage } from './pages/new-campaign-page.ts';
import { planPage } from './pages/plan-page.ts';
import { outcomeChoices, resultsPage, stateChoices } from './pages/results-page.ts';
import { signInPage } from './pages/sign-in-page.ts';
import { makeSessions, type ConsoleSession } from './session.ts';
import { makeSignInLimiter, signInRefusal, type SignInLimiter } from './sign-in-limit.ts';
import { makeSnapshotCache } from './snapshot-cache.ts';

/**
 * Strict: scripts and styles only from files of this server (no inline script or style, no eval), no
 * framing, forms post only here. Chart.js sizes its canvas through the CSSOM, which this allows.
 */
export const contentSecurityPolicy =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const resultsPageSize = 50;
/** The campaign figures are recounted in the background when older than this (the live part polls every 2 s). */
const figuresMaxAgeMs = 1500;
const allCampaigns = 'all';

const lifecycle: Record<string, (app: App, id: string) => Promise<LifecycleResult>> = {
  start: (app, id) => startCampaign(app, id),
  pause: pauseCampaignByOperator,
  resume: resumeCampaign,
  cancel: cancelCampaign,
};

interface ConsoleOptions {
  app: App;
  /** Goal rates, transcripts and insights (from the post-call work's records by default). */
  insights?: CallInsightsSource;
  /** Failed sign-ins counted in Redis (shared with the API's bearer token; defaultSignInLimits). */
  signInLimiter?: SignInLimiter;
}

/**
 * The operator console at `/`: server-rendered pages (no build step), htmx polling for the live parts,
 * behind a session cookie got by signing in with API_TOKEN. Every route but the sign-in page, the
 * sign-in itself and the static files needs a session; every POST also needs the session's CSRF token.
 */
export async function consoleRoutes(
  server: FastifyInstance,
  { app, insights = makeCallInsights(app.pool), signInLimiter = makeSignInLimiter(app) }: ConsoleOptions,
): Promise<void> {
  const sessions = makeSessions(app);
  const assets = await loadAssets();
  const sessionOf = new WeakMap<FastifyRequest, ConsoleSession>();
  const publicRoutes = new Set(['GET /', 'HEAD /', 'POST /sign-in', 'GET /console/assets/:name', 'HEAD /console/assets/:name']);
  const onError = (error: unknown) => app.log.warn({ err: error }, 'console: recounting campaign figures failed');
  // A campaign's counts and dial rate, and every campaign's progress: see snapshot-cache.ts for why.
  const campaignFigures = makeSnapshotCache(
    async (id) => {
      const [status, rate] = await Promise.all([getCampaignStatus(app, id), readDialRateHistory(app.pool, id)]);
      return { status, rate };
    },
    { maxAgeMs: figuresMaxAgeMs, onError },
  );
  const campaignsProgress = makeSnapshotCache(() => readCampaignsProgress(app.pool), { maxAgeMs: figuresMaxAgeMs, onError });
  // Goal rates count every conversation of every campaign: kept like the progress, for the same reason.
  const campaignsGoalRates = makeSnapshotCache(async () => insights.goalRates((await listCampaignsUncounted(app)).map((campaign) => campaign.id)), {
    maxAgeMs: figuresMaxAgeMs,
    onError,
  });
  // The dry run counts every contact by time zone: seconds at a million contacts, so it is kept a little longer.
  const dryRuns = makeSnapshotCache((id) => makeDryRun(app, id), { maxAgeMs: 10_000, onError });
  const changed = (id: string) => {
    campaignFigures.forget(id);
    dryRuns.forget(id);
    campaignsProgress.forget(allCampaigns);
  };
  // Multipart routes may carry the CSRF token as the form's first field instead of a header (a browser without script).
  const csrfInForm = new Set(['/campaigns/:id/contacts', '/campaigns/:id/do-not-call']);

  await server.register(async (ui) => {
    ui.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 1024 * 1024 }, (_request, body, done) =>
      done(null, Object.fromEntries(new URLSearchParams(body as string))),
    );
    await ui.register(multipart, { limits: { files: 2, fields: 10, fileSize: app.config.MAX_UPLOAD_BYTES } });

    ui.addHook('onClose', async () => {
      await Promise.all([campaignFigures.settled(), campaignsProgress.settled(), dryRuns.settled()]);
    });

    ui.addHook('onSend', async (request, reply, payload) => {
      reply.header('content-security-policy', contentSecurityPolicy);
      reply.header('x-content-type-options', 'nosniff');
      reply.header('x-frame-options', 'DENY');
      reply.header('referrer-policy', 'same-origin');
      if (!request.url.startsWith('/console/assets/')) reply.header('cache-control', 'no-store');
      return payload;
    });

    ui.addHook('preHandler', async (request, reply) => {
      const route = `${request.method} ${request.routeOptions.url}`;
      if (request.method === 'POST' && !sameOrigin(request)) return refuse(reply, request, 403, 'cross-site request refused');
      if (publicRoutes.has(route)) return;
      const session = await sessions.read(request);
      if (!session) {
        if (request.method === 'GET' && !isFragmentRequest(request)) return reply.redirect('/', 303);
        // htmx follows HX-Redirect: a page left open after signing out goes back to the sign-in page.
        return refuse(reply.header('hx-redirect', '/'), request, 401, 'signed out: sign in again');
      }
      sessionOf.set(request, session);
      if (request.method !== 'POST') return;
      const presented = headerValue(request.headers['x-csrf-token']) ?? (request.body as Record<string, string> | undefined)?._csrf;
      if (presented === undefined && request.isMultipart() && csrfInForm.has(request.routeOptions.url ?? '')) return; // checked once the form is read
      if (!sessions.csrfMatches(session, presented))
        return refuse(reply, request, 403, 'the form has expired or was not sent by this console: reload the page');
    });

    ui.setErrorHandler((error: FastifyError | Error, request, reply) => {
      let status = 500;
      let message = 'internal error; see the server log';
      if (isDialerError(error)) {
        status = httpStatusByCode[error.code];
        message = error.message;
      } else if ((error as FastifyError).statusCode && (error as FastifyError).statusCode! < 500) {
        status = (error as FastifyError).statusCode!;
        message = error.message;
      } else {
        const failure = explainFailure(error);
        request.log.error({ err: error, url: request.url }, 'console request failed');
        if (failure.unavailable) [status, message] = [503, failure.message];
      }
      return refuse(reply, request, status, message);
    });

    const refuse = (reply: FastifyReply, request: FastifyRequest, status: number, message: string) => {
      if (isFragmentRequest(request)) return sendFragment(reply.code(status), errorFragment(message));
      return sendHtml(reply.code(status), errorPage(sessionOf.get(request) ?? null, title(status), message));
    };
    const session = (request: FastifyRequest) => sessionOf.get(request)!;

    ui.get<{ Params: { name: string } }>('/console/assets/:name', async (request, reply) => {
      const asset = assets.get(request.params.name);
      if (!asset) return reply.code(404).type('text/plain').send('no such file');
      return reply.type(asset.type).header('cache-control', 'public, max-age=3600').send(asset.body);
    });

    ui.get('/', async (request, reply) => {
      if (await sessions.read(request)) return reply.redirect('/campaigns', 303);
      return sendHtml(reply.code(sessions.enabled ? 200 : 503), signInPage({ enabled: sessions.enabled }));
    });

    ui.post<{ Body: Record<string, string> }>('/sign-in', async (request, reply) => {
      if (!sessions.enabled) return sendHtml(reply.code(503), signInPage({ enabled: false }));
      // request.ip: the connection's peer; fastify's trustProxy is off, so X-Forwarded-For cannot dodge the limit.
      const attempt = await signInLimiter.attempt(request.ip);
      if (!attempt.allowed) {
        const unavailable = attempt.scope === 'unavailable';
        request.log.warn(
          { ip: request.ip, limit: attempt.scope, retryAfterSeconds: attempt.retryAfterSeconds },
          unavailable ? 'console sign-in refused: Redis did not answer' : 'console sign-in refused: too many failed attempts',
        );
        const status = unavailable ? 503 : 429;
        return sendHtml(
          reply.code(status).header('retry-after', String(attempt.retryAfterSeconds)),
          signInPage({ enabled: true, error: signInRefusal(attempt) }),
        );
      }
      if (!sessions.tokenMatches(String(request.body?.token ?? ''))) {
        request.log.warn({ ip: request.ip }, 'console sign-in refused: wrong token');
        return sendHtml(reply.code(401), signInPage({ enabled: true, error: 'Wrong token.' }));
      }
      await attempt.succeeded();
      await sessions.start(reply);
      return reply.redirect('/campaigns', 303);
    });

    ui.post('/sign-out', async (request, reply) => {
      await sessions.end(session(request), reply);
      return reply.redirect('/', 303);
    });

    ui.get('/campaigns', async (request, reply) => {
      const [campaigns, progress, schedules, goalRates] = await Promise.all([
        listCampaignsUncounted(app),
        campaignsProgress.read(allCampaigns),
        listSchedules(app),
        campaignsGoalRates.read(allCampaigns),
      ]);
      return sendHtml(reply, campaignsPage(session(request), { campaigns, progress, schedules, goalRates }));
    });

    ui.get('/campaigns/new', async (request, reply) => sendHtml(reply, newCampaignPage(session(request), { config: campaignTemplate, issues: [] })));

    ui.post<{ Body: Record<string, string> }>('/campaigns', async (request, reply) => {
      const text = String(request.body?.config ?? '');
      const issues = await createFromText(text).catch((error: unknown) => {
        if (isDialerError(error, 'conflict')) return [{ field: 'name', rule: error.message }];
        throw error;
      });
      if (typeof issues === 'string') {
        changed(issues);
        return reply.redirect(`/campaigns/${issues}`, 303);
      }
      return sendHtml(reply.code(400), newCampaignPage(session(request), { config: text, issues }));
    });

    /** The new campaign's id, or every broken rule by field path. */
    async function createFromText(text: string): Promise<string | ConfigIssue[]> {
      let input: unknown;
      try {
        input = parseConfigJson(text, 'the config');
      } catch (error) {
        if (isDialerError(error)) return [{ field: 'config', rule: error.message }];
        throw error;
      }
      const parsed = campaignConfigSchema.safeParse(input);
      if (!parsed.success) return listConfigIssues(parsed.error);
      return (await createCampaign(app, input)).id;
    }

    ui.get<{ Params: { id: string } }>('/campaigns/:id', async (request, reply) => {
      return sendHtml(reply, await renderCampaign(request, request.params.id));
    });

    async function renderCampaign(request: FastifyRequest, id: string, message?: { text: string; error: boolean }, uploadResult?: Html): Promise<Html> {
      const [{ status, rate }, schedules] = await Promise.all([campaignFigures.read(id), listSchedules(app)]);
      const schedule = schedules.find((entry) => entry.campaignId === id) ?? null;
      return campaignPage(session(request), { status, rate, schedule, goalRate: status.conversations.goalRate ?? undefined, message, uploadResult });
    }

    ui.get<{ Params: { id: string } }>('/campaigns/:id/live', async (request, reply) => {
      const id = request.params.id;
      const { status, rate } = await campaignFigures.read(id);
      return sendHtml(reply, liveSection(session(request), { status, rate, goalRate: status.conversations.goalRate ?? undefined }));
    });

    ui.get<{ Params: { id: string } }>('/campaigns/:id/plan', async (request, reply) => {
      await getCampaignHeader(app, request.params.id); // a campaign id, not a name: the console links by id
      return sendHtml(reply, planPage(session(request), await dryRuns.read(request.params.id)));
    });

    ui.post<{ Params: { id: string }; Body: Record<string, string> }>('/campaigns/:id/schedule', async (request, reply) => {
      const { id } = request.params;
      await getCampaignHeader(app, id);
      const tz = String(request.body?.tz ?? '').trim();
      return changeThenShow(request, reply, id, () => scheduleCampaign(app, id, String(request.body?.cron ?? '').trim(), tz === '' ? undefined : tz));
    });

    ui.post<{ Params: { id: string } }>('/campaigns/:id/schedule/remove', async (request, reply) => {
      const { id } = request.params;
      await getCampaignHeader(app, id);
      return changeThenShow(request, reply, id, () => unscheduleCampaign(app, id));
    });

    ui.post<{ Params: { id: string; action: string } }>('/campaigns/:id/:action', async (request, reply) => {
      const act = lifecycle[request.params.action];
      if (!act) throw new DialerError('not_found', `unknown action "${request.params.action}": start, pause, resume or cancel`, 'action');
      return changeThenShow(request, reply, request.params.id, () => act(app, request.params.id));
    });

    /** Runs a change, then back to the campaign page (303: a reload does not post again); a refusal is shown on the page. */
    async function changeThenShow(request: FastifyRequest, reply: FastifyReply, id: string, change: () => Promise<unknown>) {
      try {
        await change();
      } catch (error) {
        changed(id);
        if (!isDialerError(error) || error.code === 'not_found') throw error;
        return sendHtml(reply.code(httpStatusByCode[error.code]), await renderCampaign(request, id, { text: error.message, error: true }));
      }
      changed(id);
      return reply.redirect(`/campaigns/${id}`, 303);
    }

    ui.post<{ Params: { id: string } }>('/campaigns/:id/contacts', async (request, reply) => {
      const { id } = request.params;
      await getCampaignHeader(app, id);
      const fragment = await withUpload(request, reply, async (upload) => {
        const summary = await importContacts(app, { campaignId: id, file: upload.file, wording: httpImportWording(upload.name) });
        return importSummaryFragment(id, summary);
      });
      return sendUploadResult(request, reply, id, fragment, 201);
    });

    ui.post<{ Params: { id: string } }>('/campaigns/:id/do-not-call', async (request, reply) => {
      const { id } = request.params;
      await getCampaignHeader(app, id);
      const fragment = await withUpload(request, reply, async (upload) =>
        doNotCallSummaryFragment(await importDoNotCall(app, upload.file, { campaignId: id })),
      );
      return sendUploadResult(request, reply, id, fragment, 201);
    });

    /** Spools the form's file to a temporary folder, checks the CSRF token of a form sent without script, runs `use`. */
    async function withUpload(request: FastifyRequest, reply: FastifyReply, use: (upload: { file: string; name: string }) => Promise<Html>): Promise<Html> {
      if (!request.isMultipart()) throw new DialerError('invalid_input', 'send the file as a multipart/form-data form', 'file');
      const directory = await mkdtemp(path.join(tmpdir(), 'dialer-console-upload-'));
      try {
        const upload = await spoolUpload(request, reply, directory, undefined, app.config.MAX_UPLOAD_BYTES);
        const presented = headerValue(request.headers['x-csrf-token']) ?? upload.fields._csrf;
        if (!sessions.csrfMatches(session(request), presented)) {
          throw new DialerError('unauthorized', 'the form has expired or was not sent by this console: reload the page');
        }
        return await use(upload);
      } finally {
        changed(campaignIdOf(request));
        await rm(directory, { recursive: true, force: true });
      }
    }

    async function sendUploadResult(request: FastifyRequest, reply: FastifyReply, id: string, fragment: Html, status: number) {
      if (isFragmentRequest(request)) return sendFragment(reply.code(status), fragment);
      // The fragment is already escaped markup: it goes into the page as it is, never through escaping again.
      return sendHtml(reply.code(status), await renderCampaign(request, id, undefined, fragment));
    }

    ui.get<{ Params: { id: string }; Querystring: { import?: string } }>('/campaigns/:id/rejections.csv', async (request, reply) => {
      const { id } = request.params;
      await getCampaignHeader(app, id);
      const importIds = (await resolveImportIds(app.pool, request.query.import || id)).filter(Boolean);
      const body = new PassThrough();
      writeRejectionsCsv(app.pool, importIds, body).then(
        () => body.end(),
        (error: unknown) => body.destroy(error instanceof Error ? error : new Error(String(error))),
      );
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="rejections-${id}.csv"`).send(body);
    });

    ui.get<{ Params: { id: string }; Querystring: Record<string, string> }>('/campaigns/:id/results', async (request, reply) => {
      const { id } = request.params;
      const campaign = await getCampaignHeader(app, id);
      const filter = readFilter(request.query);
      const after = request.query.after || null;
      const page = await readResultsPage(app.pool, id, { after, limit: resultsPageSize, filter });
      return sendHtml(
        reply,
        resultsPage(session(request), { campaignId: id, campaignName: campaign.name, filter, after, rows: page.rows, nextCursor: page.nextCursor }),
      );
    });

    ui.get<{ Params: { id: string }; Querystring: Record<string, string> }>('/campaigns/:id/results.csv', async (request, reply) => {
      const { id } = request.params;
      await getCampaignHeader(app, id);
      const filter = readFilter(request.query);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="results-${id}.csv"`)
        .send(Readable.from(exportResults(app.pool, id, 'csv', filter)));
    });

    ui.get<{ Params: { id: string } }>('/contacts/:id', async (request, reply) => {
      const contact = await readContactHistory(app.pool, request.params.id);
      return sendHtml(reply, contactPage(session(request), contact, await insights.contactInsights(contact.id)));
    });
  });
}

function campaignIdOf(request: FastifyRequest): string {
  return (request.params as { id: string }).id;
}

function isGoalFilter(value: string): value is GoalFilter {
  return (goalFilters as readonly string[]).includes(value);
}

function readFilter(query: Record<string, string>): ResultsFilter {
  const state = query.state || null;
  const outcome = query.outcome || null;
  if (state && !stateChoices.includes(state)) throw new DialerError('invalid_input', `state must be one of ${stateChoices.join(', ')}`, 'state');
  if (outcome && !outcomeChoices.includes(outcome)) throw new DialerError('invalid_input', `outcome must be one of ${outcomeChoices.join(', ')}`, 'outcome');
  const goal = query.goal || null;
  if (goal !== null && !isGoalFilter(goal)) throw new DialerError('invalid_input', `goal must be one of ${goalFilters.join(', ')}`, 'goal');
  return { state, outcome, goal, phoneStartsWith: query.phone || null };
}

function sendHtml(reply: FastifyReply, body: Html): FastifyReply {
  return reply.type('text/html; charset=utf-8').send(body.text);
}

/** A fragment for the upload script: the header tells it apart from any other answer (a proxy's error page), which it shows as text. */
function sendFragment(reply: FastifyReply, body: Html): FastifyReply {
  return sendHtml(reply.header('x-console-fragment', '1'), body);
}

/** A request from htmx or the upload script: answered with a fragment, not a page. */
function isFragmentRequest(request: FastifyRequest): boolean {
  return request.headers['hx-request'] === 'true' || request.headers['x-console-fragment'] === '1';
}

/**
 * A POST's Origin (or, without it, its Referer) must be this server: with the SameSite=Strict cookie
 * and the CSRF token, a third guard against cross-site forms (and the only one for the sign-in form).
 */
function sameOrigin(request: FastifyRequest): boolean {
  const source = headerValue(request.headers.origin) ?? headerValue(request.headers.referer);
  if (source === undefined) return true;
  try {
    return new URL(source).host === request.headers.host;
  } catch {
    return false;
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function title(status: number): string {
  if (status === 401) return 'Signed out';
  if (status === 403) return 'Refused';
  if (status === 404) return 'Not found';
  if (status < 500) return 'Not done';
  return 'Error';
}
