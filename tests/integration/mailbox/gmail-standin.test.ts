/**
 * The Gmail stand-in driven by the REAL @googleapis/gmail 18 client and google-auth-library's
 * OAuth2Client (refresh token → access token at the stand-in's token endpoint), pointed at it with
 * `rootUrl`. Raw HTTP only where the client would hide what Google sends.
 */
import { gmail_v1 } from '@googleapis/gmail';
import { CodeChallengeMethod, OAuth2Client } from 'google-auth-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GMAIL_READONLY_SCOPE, GMAIL_SEND_SCOPE, SCOPES, startGmailStandIn, type GmailStandIn } from '../../support/gmail-standin/index.ts';

let google: GmailStandIn;

const oauthClient = (credentials: { refresh_token?: string; access_token?: string }) => {
  const client = new OAuth2Client({
    clientId: google.clientId,
    clientSecret: google.clientSecret,
    endpoints: { oauth2TokenUrl: google.tokenUrl, oauth2AuthBaseUrl: google.authUrl, oauth2RevokeUrl: google.revokeUrl },
    transporterOptions: { retryConfig: { retry: 0, noResponseRetries: 0 } },
  });
  client.setCredentials(credentials);
  return client;
};
const gmailFor = (auth: OAuth2Client) => new gmail_v1.Gmail({ auth, rootUrl: google.url, retry: false });
const gmailWith = (scopes: string[]) => gmailFor(oauthClient({ refresh_token: google.issueRefreshToken(scopes) }));

let api: gmail_v1.Gmail;

/** The rejection of a client call: status, headers and Google's error body. */
type ClientError = { status?: number; response?: { status: number; headers: Headers | Record<string, string>; data: any } };
const rejection = async (p: Promise<unknown>): Promise<ClientError> => {
  try {
    await p;
  } catch (e) {
    return e as ClientError;
  }
  throw new Error('expected the call to fail');
};
// gaxios answers with a fetch Headers (possibly another realm's than the test's): duck-type it.
const headerOf = (h: Headers | Record<string, string> | undefined, name: string) =>
  (h && typeof (h as Headers).get === 'function' ? (h as Headers).get(name) : (h as Record<string, string> | undefined)?.[name]) ?? undefined;

const b64url = (s: string) => Buffer.from(s, 'utf8').toString('base64url');
let counter = 0;
const outgoing = (opts: { subject: string; inReplyTo?: string; references?: string; to?: string; body?: string }) =>
  [
    `From: Seeker <seeker@example.com>`,
    `To: ${opts.to ?? 'Ann Example <ann@example.org>'}`,
    `Subject: ${opts.subject}`,
    ...(opts.inReplyTo ? [`In-Reply-To: ${opts.inReplyTo}`] : []),
    ...(opts.references ? [`References: ${opts.references}`] : []),
    `Message-ID: <out-${++counter}-${Date.now()}@outreach.test>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    opts.body ?? 'Would you have 20 minutes next week?',
    '',
  ].join('\r\n');

const inboundReply = (to: { messageId: string; subject: string }, body = 'Happy to, Tuesday works.') =>
  [
    'From: Ann Example <ann@example.org>',
    'To: seeker@example.com',
    `Subject: Re: ${to.subject}`,
    `Message-ID: <reply-${++counter}@example.org>`,
    `In-Reply-To: ${to.messageId}`,
    `References: ${to.messageId}`,
    'MIME-Version: 1.0',
    'Content-Type: multipart/alternative; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    `${body} Caf=C3=A9?`,
    '--b1',
    'Content-Type: text/html; charset=utf-8',
    '',
    `<p>${body}</p>`,
    '--b1--',
    '',
  ].join('\r\n');

beforeAll(async () => {
  google = await startGmailStandIn({ accountEmail: 'seeker@example.com' });
  api = gmailWith([GMAIL_SEND_SCOPE, GMAIL_READONLY_SCOPE]);
});
afterAll(async () => {
  await google.stop();
});

describe('OAuth against the stand-in', () => {
  it('authorization_code with PKCE gives a refresh token; OAuth2Client turns it into access tokens for Gmail calls', async () => {
    const client = oauthClient({});
    const { codeVerifier, codeChallenge } = await client.generateCodeVerifierAsync();
    const redirectUri = 'http://127.0.0.1:53682/callback';
    const authUrl = client.generateAuthUrl({
      access_type: 'offline',
      scope: [GMAIL_SEND_SCOPE, GMAIL_READONLY_SCOPE],
      code_challenge: codeChallenge!,
      code_challenge_method: CodeChallengeMethod.S256,
      redirect_uri: redirectUri,
      state: 's1',
    });
    const consent = await fetch(authUrl, { redirect: 'manual' });
    expect(consent.status).toBe(302);
    const back = new URL(consent.headers.get('location')!);
    expect(back.searchParams.get('state')).toBe('s1');
    const { tokens } = await client.getToken({ code: back.searchParams.get('code')!, codeVerifier, redirect_uri: redirectUri });
    expect(tokens.refresh_token).toMatch(/^1\/\/0g/);
    expect(tokens.scope).toBe(`${GMAIL_SEND_SCOPE} ${GMAIL_READONLY_SCOPE}`);

    const fresh = gmailFor(oauthClient({ refresh_token: tokens.refresh_token! }));
    const { data } = await fresh.users.getProfile({ userId: 'me' });
    expect(data).toEqual({
      emailAddress: 'seeker@example.com',
      messagesTotal: expect.any(Number),
      threadsTotal: expect.any(Number),
      historyId: expect.stringMatching(/^\d+$/),
    });
    expect(google.lastCall('token')?.grantType).toBe('refresh_token');
  });

  it('a code exchanged without its PKCE verifier is invalid_grant', async () => {
    const client = oauthClient({});
    const { codeChallenge } = await client.generateCodeVerifierAsync();
    const redirectUri = 'http://127.0.0.1:53682/callback';
    const authUrl = client.generateAuthUrl({
      access_type: 'offline',
      scope: [GMAIL_READONLY_SCOPE],
      code_challenge: codeChallenge!,
      code_challenge_method: CodeChallengeMethod.S256,
      redirect_uri: redirectUri,
    });
    const code = new URL((await fetch(authUrl, { redirect: 'manual' })).headers.get('location')!).searchParams.get('code')!;
    const err = await rejection(client.getToken({ code, redirect_uri: redirectUri }));
    expect(err.response?.data).toMatchObject({ error: 'invalid_grant' });
  });
});

describe('users.messages.send', () => {
  it('without threadId: a new thread, labels [SENT], Gmail adds nothing the message already has', async () => {
    const raw = outgoing({ subject: 'Informational interview?' });
    const { data } = await api.users.messages.send({ userId: 'me', requestBody: { raw: b64url(raw) } });
    expect(data).toEqual({ id: expect.stringMatching(/^[0-9a-f]{16}$/), threadId: data.id, labelIds: ['SENT'] });
    const sent = google.sent().find((m) => m.id === data.id)!;
    expect(sent.subject).toBe('Informational interview?');
    expect(sent.messageId).toMatch(/^<out-\d+-\d+@outreach\.test>$/);
    expect(sent.to).toEqual(['ann@example.org']);
    expect(sent.text).toBe('Would you have 20 minutes next week?\r\n');
    expect(sent.via).toBe('json');
  });

  it('fills in From, Date and Message-ID when missing, and refuses a message without recipients', async () => {
    const { data } = await api.users.messages.send({ userId: 'me', requestBody: { raw: b64url('To: bob@example.org\r\nSubject: Bare\r\n\r\nHi\r\n') } });
    const sent = google.sent().find((m) => m.id === data.id)!;
    expect(sent.header('From')).toBe('seeker@example.com');
    expect(sent.header('Message-ID')).toMatch(/^<CA\+[\w-]+@mail\.gmail\.com>$/);
    expect(sent.header('Date')).toBeDefined();

    const err = await rejection(api.users.messages.send({ userId: 'me', requestBody: { raw: b64url('Subject: nobody\r\n\r\nHi\r\n') } }));
    expect(err.status).toBe(400);
    expect(err.response!.data.error).toMatchObject({
      code: 400,
      message: 'Recipient address required',
      errors: [{ reason: 'invalidArgument', domain: 'global' }],
      status: 'INVALID_ARGUMENT',
    });
  });

  it('without raw is a 400 that says raw or an /upload/ URL is required', async () => {
    const err = await rejection(api.users.messages.send({ userId: 'me', requestBody: {} }));
    expect(err.status).toBe(400);
    expect(err.response!.data.error.message).toBe("'raw' RFC822 payload message string or uploading message via /upload/* URL required");
  });

  it('with threadId and matching References + Subject: the message joins the thread; a reply delivered later joins it too', async () => {
    const first = await api.users.messages.send({ userId: 'me', requestBody: { raw: b64url(outgoing({ subject: 'Coffee chat' })) } });
    const firstSent = google.sent().find((m) => m.id === first.data.id)!;
    const reply = google.deliverInbound(inboundReply({ messageId: firstSent.messageId!, subject: 'Coffee chat' }));
    expect(reply.threadId).toBe(first.data.threadId);

    const replyId = (await api.users.messages.get({ userId: 'me', id: reply.id, format: 'metadata', metadataHeaders: ['Message-ID'] })).data.payload!
      .headers![0]!.value!;
    const followUp = await api.users.messages.send({
      userId: 'me',
      requestBody: {
        threadId: first.data.threadId!,
        raw: b64url(outgoing({ subject: 'Re: Coffee chat', inReplyTo: replyId, references: `${firstSent.messageId} ${replyId}` })),
      },
    });
    expect(followUp.data.threadId).toBe(first.data.threadId);
    expect(google.sent().find((m) => m.id === followUp.data.id)?.requestedThreadId).toBe(first.data.threadId);
  });

  it('deliverInbound: an unrelated message starts its own thread; a threadId given puts it in that thread', async () => {
    const first = await api.users.messages.send({ userId: 'me', requestBody: { raw: b64url(outgoing({ subject: 'Forced' })) } });
    const loose = google.deliverInbound('From: z@example.org\r\nTo: seeker@example.com\r\nSubject: Unrelated\r\n\r\nx\r\n');
    expect(loose.threadId).toBe(loose.id);
    const forced = google.deliverInbound('From: z@example.org\r\nTo: seeker@example.com\r\nSubject: Unrelated\r\n\r\nx\r\n', {
      threadId: first.data.threadId!,
    });
    expect(forced.threadId).toBe(first.data.threadId);
    expect(() => google.deliverInbound('Subject: x\r\n\r\nx\r\n', { threadId: 'ffffffffffffffff' })).toThrow(/no thread/);
  });

  it('with threadId but another Subject: Gmail starts a new thread (its documented criteria are not met)', async () => {
    const first = await api.users.messages.send({ userId: 'me', requestBody: { raw: b64url(outgoing({ subject: 'Topic A' })) } });
    const ref = google.sent().find((m) => m.id === first.data.id)!.messageId!;
    const other = await api.users.messages.send({
      userId: 'me',
      requestBody: { threadId: first.data.threadId!, raw: b64url(outgoing({ subject: 'Topic B', inReplyTo: ref, references: ref })) },
    });
    expect(other.data.threadId).not.toBe(first.data.threadId);
    expect(other.data.threadId).toBe(other.data.id);
  });

  it('with a threadId that names no thread: 400 Invalid thread_id value', async () => {
    const err = await rejection(
      api.users.messages.send({ userId: 'me', requestBody: { threadId: 'ffffffffffffffff', raw: b64url(outgoing({ subject: 'x' })) } }),
    );
    expect(err.status).toBe(400);
    expect(err.response!.data.error.message).toBe('Invalid thread_id value');
  });

  it('through the /upload/ URL (uploadType=media and multipart with a threadId), when rootUrl is given per call', async () => {
    const raw = outgoing({ subject: 'Uploaded' });
    const media = await api.users.messages.send({ userId: 'me', media: { mimeType: 'message/rfc822', body: raw } }, { rootUrl: google.url });
    expect(google.lastCall('send')).toMatchObject({ path: '/upload/gmail/v1/users/me/messages/send', query: { uploadType: 'media' }, status: 200 });
    const ref = google.sent().find((m) => m.id === media.data.id)!.messageId!;
    const multi = await api.users.messages.send(
      {
        userId: 'me',
        requestBody: { threadId: media.data.threadId! },
        media: { mimeType: 'message/rfc822', body: outgoing({ subject: 'Re: Uploaded', inReplyTo: ref, references: ref }) },
      },
      { rootUrl: google.url },
    );
    expect(google.lastCall('send')).toMatchObject({ query: { uploadType: 'multipart' }, body: { threadId: media.data.threadId } });
    expect(multi.data.threadId).toBe(media.data.threadId);
    expect(google.sent().at(-1)!.via).toBe('multipart');
  });

  it('(client pitfall) with rootUrl only on the client, a media upload would go to gmail.googleapis.com: nothing is sent, an adapter catches the URL', async () => {
    let target = '';
    await api.users.messages.send({ userId: 'me', media: { mimeType: 'message/rfc822', body: outgoing({ subject: 'Lost' }) } }, {
      adapter: async (opts: { url: URL | string }) => {
        target = String(opts.url);
        return { data: {}, status: 200, statusText: 'OK', headers: new Headers(), config: opts, request: { responseURL: String(opts.url) } } as never;
      },
    } as never);
    expect(new URL(target).host).toBe('gmail.googleapis.com');
    expect(new URL(target).pathname).toBe('/upload/gmail/v1/users/me/messages/send');
  });
});

describe('users.messages.get and list', () => {
  let id: string;
  beforeAll(async () => {
    const sent = await api.users.messages.send({ userId: 'me', requestBody: { raw: b64url(outgoing({ subject: 'Formats' })) } });
    const ref = google.sent().find((m) => m.id === sent.data.id)!.messageId!;
    id = google.deliverInbound(inboundReply({ messageId: ref, subject: 'Formats' }, 'Sure thing.')).id;
  });

  it('format=minimal: id, threadId, labels and the small fields, no payload or raw', async () => {
    const { data } = await api.users.messages.get({ userId: 'me', id, format: 'minimal' });
    expect(Object.keys(data).sort()).toEqual(['historyId', 'id', 'internalDate', 'labelIds', 'sizeEstimate', 'snippet', 'threadId']);
    expect(data.labelIds).toEqual(['INBOX', 'UNREAD']);
    expect(data.snippet).toBe('Sure thing. Café?');
  });

  it('format=metadata with metadataHeaders: only those headers, no body', async () => {
    const { data } = await api.users.messages.get({ userId: 'me', id, format: 'metadata', metadataHeaders: ['Subject', 'in-reply-to'] });
    expect(data.payload!.headers!.map((h) => h.name)).toEqual(['Subject', 'In-Reply-To']);
    expect(data.payload!.parts).toBeUndefined();
    expect(data.raw).toBeUndefined();
  });

  it('format=full (the default): the MIME tree, body.data base64url with the transfer encoding undone', async () => {
    const { data } = await api.users.messages.get({ userId: 'me', id });
    expect(data.raw).toBeUndefined();
    expect(data.payload).toMatchObject({ partId: '', mimeType: 'multipart/alternative', filename: '', body: { size: 0 } });
    const [plain, html] = data.payload!.parts!;
    expect(plain).toMatchObject({ partId: '0', mimeType: 'text/plain' });
    expect(Buffer.from(plain!.body!.data!, 'base64url').toString('utf8')).toBe('Sure thing. Café?');
    expect(html).toMatchObject({ partId: '1', mimeType: 'text/html' });
    expect(data.payload!.headers!.find((h) => h.name === 'Subject')!.value).toBe('Re: Formats');
  });

  it('format=raw: the whole message, base64url', async () => {
    const { data } = await api.users.messages.get({ userId: 'me', id, format: 'raw' });
    expect(data.payload).toBeUndefined();
    const raw = Buffer.from(data.raw!, 'base64url').toString('utf8');
    expect(raw).toContain('Subject: Re: Formats\r\n');
    expect(raw).toContain('Content-Type: multipart/alternative; boundary="b1"');
  });

  it("an unknown id is 404 notFound in Google's error shape", async () => {
    const err = await rejection(api.users.messages.get({ userId: 'me', id: '0123456789abcdef' }));
    expect(err.status).toBe(404);
    expect(err.response!.data).toEqual({
      error: {
        code: 404,
        message: 'Requested entity was not found.',
        errors: [{ message: 'Requested entity was not found.', domain: 'global', reason: 'notFound' }],
        status: 'NOT_FOUND',
      },
    });
  });

  it('list: labelIds, the supported q terms, maxResults and pageToken (newest first)', async () => {
    const inbox = await api.users.messages.list({ userId: 'me', labelIds: ['INBOX'], q: 'is:unread from:ann@example.org' });
    expect(inbox.data.messages?.[0]).toEqual({ id, threadId: expect.any(String) });
    expect(inbox.data.resultSizeEstimate).toBe(inbox.data.messages!.length);

    const sentIds: string[] = [];
    let pageToken: string | undefined;
    do {
      const page = await api.users.messages.list({ userId: 'me', labelIds: ['SENT'], maxResults: 2, ...(pageToken ? { pageToken } : {}) });
      expect(page.data.messages!.length).toBeLessThanOrEqual(2);
      sentIds.push(...page.data.messages!.map((m) => m.id!));
      pageToken = page.data.nextPageToken ?? undefined;
    } while (pageToken);
    expect(sentIds.sort()).toEqual(
      google
        .sent()
        .map((m) => m.id)
        .sort(),
    );

    const byId = await api.users.messages.list({ userId: 'me', q: `rfc822msgid:${google.sent()[0]!.messageId}` });
    expect(byId.data.messages).toEqual([{ id: google.sent()[0]!.id, threadId: google.sent()[0]!.threadId }]);
  });

  it('list: a q term it cannot evaluate is a 400, not silently ignored', async () => {
    const err = await rejection(api.users.messages.list({ userId: 'me', q: 'has:attachment' }));
    expect(err.status).toBe(400);
    expect(err.response!.data.error.message).toMatch(/does not support the search term "has:attachment"/);
  });
});

describe('users.history.list', () => {
  it('after deliverInbound, an incremental sync from the profile historyId sees the new message, then nothing more', async () => {
    const start = (await api.users.getProfile({ userId: 'me' })).data.historyId!;
    const a = google.deliverInbound('From: c@example.org\r\nTo: seeker@example.com\r\nSubject: Hello\r\n\r\nHi\r\n');
    google.modifyLabels(a.id, { remove: ['UNREAD'] });

    const { data } = await api.users.history.list({ userId: 'me', startHistoryId: start, historyTypes: ['messageAdded'], labelId: 'INBOX' });
    expect(data.historyId).toBe(String(google.historyId()));
    expect(data.history).toEqual([
      {
        id: String(a.historyId),
        messages: [{ id: a.id, threadId: a.threadId }],
        messagesAdded: [{ message: { id: a.id, threadId: a.threadId, labelIds: ['INBOX', 'UNREAD'] } }],
      },
    ]);

    const all = await api.users.history.list({ userId: 'me', startHistoryId: start });
    expect(all.data.history!.map((h) => Object.keys(h).filter((k) => k !== 'id' && k !== 'messages'))).toEqual([['messagesAdded'], ['labelsRemoved']]);
    expect(Number(all.data.history![1]!.id)).toBeGreaterThan(Number(all.data.history![0]!.id));

    const after = await api.users.history.list({ userId: 'me', startHistoryId: data.historyId! });
    expect(after.data.history).toBeUndefined();
    expect(after.data.nextPageToken).toBeUndefined();
    expect(after.data.historyId).toBe(data.historyId);
  });

  it('pages with nextPageToken; the last page carries the historyId to store', async () => {
    const start = String(google.historyId());
    const ids = [1, 2, 3].map((i) => google.deliverInbound(`From: d@example.org\r\nTo: seeker@example.com\r\nSubject: Page ${i}\r\n\r\nx\r\n`).id);
    const seen: string[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    let last: gmail_v1.Schema$ListHistoryResponse | undefined;
    do {
      last = (await api.users.history.list({ userId: 'me', startHistoryId: start, maxResults: 2, ...(pageToken ? { pageToken } : {}) })).data;
      pages++;
      for (const h of last.history ?? []) seen.push(...(h.messagesAdded ?? []).map((m) => m.message!.id!));
      pageToken = last.nextPageToken ?? undefined;
    } while (pageToken);
    expect(pages).toBe(2);
    expect(seen).toEqual(ids);
    expect(last.historyId).toBe(String(google.historyId()));
  });

  it('a startHistoryId older than the history kept is 404 notFound (the client must do a full sync)', async () => {
    const old = (await api.users.getProfile({ userId: 'me' })).data.historyId!;
    const m = google.deliverInbound('From: e@example.org\r\nTo: seeker@example.com\r\nSubject: Late\r\n\r\nx\r\n');
    google.expireHistoryBefore(m.historyId);
    const err = await rejection(api.users.history.list({ userId: 'me', startHistoryId: old }));
    expect(err.status).toBe(404);
    expect(err.response!.data.error).toMatchObject({ code: 404, errors: [{ reason: 'notFound' }], status: 'NOT_FOUND' });
    // From the newest id on, it works again.
    const ok = await api.users.history.list({ userId: 'me', startHistoryId: String(m.historyId) });
    expect(ok.status).toBe(200);
  });
});

describe('errors and limits', () => {
  it('429 with Retry-After, as Gmail sends for too many concurrent requests', async () => {
    google.failNext(1, { status: 429, retryAfter: 7, kind: 'list' });
    const err = await rejection(api.users.messages.list({ userId: 'me' }));
    expect(err.status).toBe(429);
    expect(headerOf(err.response!.headers, 'retry-after')).toBe('7');
    expect(err.response!.data.error).toMatchObject({
      code: 429,
      message: 'Too many concurrent requests for user',
      errors: [{ reason: 'rateLimitExceeded', domain: 'global' }],
      status: 'RESOURCE_EXHAUSTED',
    });
    // The next call goes through.
    expect((await api.users.messages.list({ userId: 'me' })).status).toBe(200);
  });

  it('403 rateLimitExceeded / userRateLimitExceeded (domain usageLimits), with Retry-After when asked', async () => {
    google.failNext(1, { status: 403, reason: 'userRateLimitExceeded', retryAfter: 3, kind: 'send' });
    google.failNext(1, { status: 403, reason: 'rateLimitExceeded', kind: 'send' });
    const raw = b64url(outgoing({ subject: 'Rate limited' }));
    const user = await rejection(api.users.messages.send({ userId: 'me', requestBody: { raw } }));
    expect(user.status).toBe(403);
    expect(headerOf(user.response!.headers, 'retry-after')).toBe('3');
    expect(user.response!.data.error).toMatchObject({
      message: 'User Rate Limit Exceeded',
      errors: [{ reason: 'userRateLimitExceeded', domain: 'usageLimits' }],
      status: 'PERMISSION_DENIED',
    });
    const project = await rejection(api.users.messages.send({ userId: 'me', requestBody: { raw } }));
    expect(project.response!.data.error.errors[0]).toEqual({ message: 'Rate Limit Exceeded', domain: 'usageLimits', reason: 'rateLimitExceeded' });
    expect(google.sent().filter((m) => m.subject === 'Rate limited')).toHaveLength(0);
  });

  it('a 5xx after the send was applied: the client sees backendError, the message was sent once', async () => {
    google.failNext(1, { status: 503, kind: 'send', afterApplying: true });
    const err = await rejection(api.users.messages.send({ userId: 'me', requestBody: { raw: b64url(outgoing({ subject: 'Lost answer' })) } }));
    expect(err.status).toBe(503);
    expect(err.response!.data.error.errors[0].reason).toBe('backendError');
    expect(google.sent().filter((m) => m.subject === 'Lost answer')).toHaveLength(1);
  });

  it("a token lacking the method's scope is 403 insufficientPermissions", async () => {
    const sendOnly = gmailWith([GMAIL_SEND_SCOPE]);
    const err = await rejection(sendOnly.users.messages.list({ userId: 'me' }));
    expect(err.status).toBe(403);
    expect(err.response!.data.error).toMatchObject({
      code: 403,
      message: 'Request had insufficient authentication scopes.',
      errors: [{ reason: 'insufficientPermissions', domain: 'global' }],
      status: 'PERMISSION_DENIED',
    });
    // gmail.send is enough to send.
    expect((await sendOnly.users.messages.send({ userId: 'me', requestBody: { raw: b64url(outgoing({ subject: 'send scope' })) } })).status).toBe(200);

    const readOnly = gmailWith([GMAIL_READONLY_SCOPE]);
    const refused = await rejection(readOnly.users.messages.send({ userId: 'me', requestBody: { raw: b64url(outgoing({ subject: 'readonly scope' })) } }));
    expect(refused.response!.data.error.errors[0].reason).toBe('insufficientPermissions');

    const metadata = gmailWith([SCOPES.metadata]);
    const someId = google.messages()[0]!.id;
    expect((await metadata.users.messages.get({ userId: 'me', id: someId, format: 'metadata' })).status).toBe(200);
    const full = await rejection(metadata.users.messages.get({ userId: 'me', id: someId, format: 'full' }));
    expect(full.status).toBe(403);
    expect(full.response!.data.error.message).toBe("Metadata scope doesn't allow format FULL");
  });

  it("another user's mailbox is refused: 403 Delegation denied", async () => {
    const err = await rejection(api.users.getProfile({ userId: 'someone.else@example.org' }));
    expect(err.status).toBe(403);
    expect(err.response!.data.error.message).toBe('Delegation denied for seeker@example.com');
  });

  it('after revokeAll: a held access token is 401 authError, and refreshing is invalid_grant', async () => {
    const refreshToken = google.issueRefreshToken();
    const holder = oauthClient({ refresh_token: refreshToken });
    const { token } = await holder.getAccessToken();
    expect((await gmailFor(holder).users.getProfile({ userId: 'me' })).status).toBe(200);

    google.revokeAll();
    expect(google.isRevoked(refreshToken)).toBe(true);

    const accessOnly = gmailFor(oauthClient({ access_token: token! }));
    const unauthorized = await rejection(accessOnly.users.getProfile({ userId: 'me' }));
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.response!.data.error).toMatchObject({
      code: 401,
      message: 'Invalid Credentials',
      errors: [{ reason: 'authError', location: 'Authorization', locationType: 'header' }],
      status: 'UNAUTHENTICATED',
    });

    // The client that still holds an unexpired access token does not refresh on a 401 (it knows
    // the expiry): it reports the 401. One that must refresh meets invalid_grant.
    const holding = await rejection(gmailFor(holder).users.getProfile({ userId: 'me' }));
    expect(holding.status).toBe(401);
    const fresh = await rejection(oauthClient({ refresh_token: refreshToken }).getAccessToken());
    expect(fresh.response?.data).toEqual({ error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
    const viaApi = await rejection(gmailFor(oauthClient({ refresh_token: refreshToken })).users.getProfile({ userId: 'me' }));
    expect(viaApi.response?.data).toMatchObject({ error: 'invalid_grant' });
  });
});

describe('strictness over raw HTTP', () => {
  let bearer: string;
  beforeAll(async () => {
    const form = new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: google.issueRefreshToken(),
      client_id: google.clientId,
      client_secret: google.clientSecret,
    });
    bearer = ((await (await fetch(google.tokenUrl, { method: 'POST', body: form })).json()) as { access_token: string }).access_token;
  });
  const call = (path: string, init: RequestInit = {}) =>
    fetch(`${google.url}gmail/v1/users/me/${path}`, {
      ...init,
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json', ...(init.headers ?? {}) },
    });

  it('an unknown query parameter or JSON field is a 400, as Google answers', async () => {
    const q = await call('messages?labelIds=INBOX&colour=blue');
    expect(q.status).toBe(400);
    expect(((await q.json()) as any).error.message).toMatch(/Unknown name "colour": Cannot bind query parameter/);
    const f = await call('messages/send', { method: 'POST', body: JSON.stringify({ raw: b64url(outgoing({ subject: 'x' })), colour: 'blue' }) });
    expect(f.status).toBe(400);
    expect(((await f.json()) as any).error.message).toMatch(/Unknown name "colour": Cannot find field/);
  });

  it('no bearer token is 401 with WWW-Authenticate; history.list without startHistoryId is 400', async () => {
    const res = await fetch(`${google.url}gmail/v1/users/me/profile`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /);
    const missing = await call('history');
    expect(missing.status).toBe(400);
  });
});
