/*
 * What the moderator console and the analyst page share: the sign-in token, API calls that turn
 * problem details (RFC 9457) into readable errors, and DOM building that only ever sets text.
 */

const TOKEN_KEY = 'danmaku.token';

export const $ = (id) => document.getElementById(id);

/**
 * Builds an element. Children that are strings become text nodes, so text from users can never
 * turn into markup. `attrs`: properties (className, type, value, ...), `dataset`, `on` {event: fn}.
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null) continue;
    if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key === 'on') Object.entries(value).forEach(([event, fn]) => node.addEventListener(event, fn));
    else if (key.startsWith('aria-') || key === 'role' || key === 'for') node.setAttribute(key, value);
    else node[key] = value;
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function time(ms) {
  if (!ms) return '';
  return new Date(Number(ms)).toLocaleString('en-GB', { hour12: false });
}

export function clock(ms) {
  return new Date(Number(ms)).toLocaleTimeString('en-GB', { hour12: false });
}

/** A verdict (or action) badge; the class carries the colour. */
export function badge(word) {
  const value = String(word || '').toUpperCase();
  return el('span', { className: `badge badge-${value.toLowerCase()}` }, value);
}

// ---------------------------------------------------------------- sign-in token

/** What a token says about its holder; the server checks the signature, this only shows it. */
export function describeToken(token) {
  try {
    const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(payload), (c) => c.charCodeAt(0));
    const json = JSON.parse(new TextDecoder().decode(bytes));
    return {
      user: String(json.sub || ''),
      name: String(json.name || json.sub || ''),
      roles: Array.isArray(json.roles) ? json.roles.map(String) : [],
      rooms: Array.isArray(json.rooms) ? json.rooms.map(String) : [],
      expiresAtMs: Number(json.exp) * 1000 || 0,
    };
  } catch {
    return null;
  }
}

/** Kept per tab (sessionStorage): closing the tab signs out. */
export const session = {
  get token() {
    try { return sessionStorage.getItem(TOKEN_KEY) || ''; } catch { return ''; }
  },
  set token(value) {
    try {
      if (value) sessionStorage.setItem(TOKEN_KEY, value);
      else sessionStorage.removeItem(TOKEN_KEY);
    } catch { /* storage blocked: the token lives as long as the page */ }
  },
};

/** Asks the dev-only token endpoint; outside `danmaku dev` it answers 404. */
export async function devToken(user, name, role) {
  const query = new URLSearchParams({ user, name, role });
  const body = await api(`/api/v1/dev/token?${query}`, { auth: false });
  return body.token;
}

// ---------------------------------------------------------------- API calls

/** An HTTP error with the server's problem details. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problemText(status, problem));
    this.status = status;
    this.problem = problem;
  }
}

const STATUS_HINT = {
  401: 'Not signed in, or the token expired: sign in again.',
  403: 'This token lacks the role for that.',
  404: 'Not found.',
  409: 'Conflict.',
  413: 'Too large.',
  415: 'Unsupported format.',
  503: 'The service is unavailable; try again shortly.',
};

function problemText(status, problem) {
  const detail = problem && (problem.detail || problem.title);
  const hint = STATUS_HINT[status] || `HTTP ${status}.`;
  const lines = problem && Array.isArray(problem.errors)
    ? problem.errors.slice(0, 5).map((e) => (e.line ? `line ${e.line}: ${e.message}` : String(e.message || e)))
    : [];
  return [status === 400 ? `Refused: ${detail || 'bad request'}` : `${hint}${detail ? ` ${detail}` : ''}`, ...lines]
    .join('\n');
}

/**
 * Calls the API. `body`: an object is sent as JSON, a string with `contentType`. Answers the parsed
 * JSON, the text (for other types), or null (204). `raw: true` answers the Response itself.
 */
export async function api(path, { method = 'GET', body, contentType, auth = true, raw = false } = {}) {
  const headers = {};
  if (auth && session.token) headers.Authorization = `Bearer ${session.token}`;
  let payload;
  if (body !== undefined) {
    const json = typeof body !== 'string';
    headers['Content-Type'] = json ? 'application/json' : contentType || 'text/plain';
    payload = json ? JSON.stringify(body) : body;
  }
  let response;
  try {
    response = await fetch(path, { method, headers, body: payload, cache: 'no-store' });
  } catch {
    throw new ApiError(0, { detail: 'The server could not be reached.' });
  }
  if (!response.ok) {
    let problem = null;
    try { problem = await response.json(); } catch { /* not JSON: the status says enough */ }
    throw new ApiError(response.status, problem);
  }
  if (raw) return response;
  if (response.status === 204) return null;
  const type = response.headers.get('Content-Type') || '';
  return type.includes('json') ? response.json() : response.text();
}

/** Saves a blob under a file name through a temporary link. */
export function download(blob, fileName) {
  const url = URL.createObjectURL(blob);
  const link = el('a', { href: url, download: fileName });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/** Shows a message in a status line; `kind` info | ok | warn | error sets its colour. */
export function say(node, text, kind = 'info') {
  node.textContent = text;
  node.dataset.kind = kind;
}

/** Runs an action for a button: disabled while it runs, errors shown in `out`. */
export async function guarded(button, out, action) {
  if (button) button.disabled = true;
  try {
    return await action();
  } catch (error) {
    say(out, error.message || String(error), 'error');
    return undefined;
  } finally {
    if (button) button.disabled = false;
  }
}

// ---------------------------------------------------------------- sign-in panel

/**
 * Builds the sign-in panel both pages share into `root`: paste a token, or (in dev) get one with
 * one of `roles` (default: just `role`, the role the page needs). `onChange` runs after every sign-in or sign-out with the token's description (null when
 * signed out). Element ids: token, sign-in, dev-user, dev-role, dev-token, sign-out, identity.
 */
export function signInPanel(root, { role, roles = [role], defaultUser, onChange }) {
  const ui = {
    token: el('input', { id: 'token', type: 'password', autocomplete: 'off', spellcheck: false,
      placeholder: 'eyJhbGciOi…', 'aria-describedby': 'identity' }),
    devUser: el('input', { id: 'dev-user', value: defaultUser, maxLength: 64, spellcheck: false,
      pattern: '[A-Za-z0-9._@\\-]{1,64}' }),
    devRole: el('select', { id: 'dev-role' }, roles.map((r) => el('option', { value: r }, r))),
    devButton: el('button', { id: 'dev-token', type: 'button' }, 'Get a dev token'),
    signOut: el('button', { id: 'sign-out', type: 'button', className: 'secondary' }, 'Sign out'),
    identity: el('p', { id: 'identity', className: 'identity', role: 'status' }, 'not signed in'),
    message: el('p', { className: 'message', role: 'status', 'aria-live': 'polite' }),
  };
  const form = el('form', { className: 'row', autocomplete: 'off' },
    el('div', { className: 'field grow' }, el('label', { for: 'token' }, 'Token (JWT)'), ui.token),
    el('button', { id: 'sign-in', type: 'submit' }, 'Sign in'));
  const dev = el('div', { className: 'row' },
    el('div', { className: 'field' }, el('label', { for: 'dev-user' }, 'Dev user id'), ui.devUser),
    el('div', { className: 'field' }, el('label', { for: 'dev-role' }, 'Role'), ui.devRole),
    ui.devButton, ui.signOut);
  root.append(el('h2', {}, 'Sign in'), form, dev, ui.identity, ui.message);

  function apply(token) {
    const who = token ? describeToken(token) : null;
    if (token && !who) {
      say(ui.message, 'That does not look like a token (three dot-separated parts).', 'error');
      return;
    }
    session.token = token;
    ui.token.value = '';
    document.body.dataset.signedIn = String(Boolean(who));
    ui.identity.textContent = who
      ? `Signed in as ${who.name} (${who.user}) · ${who.roles.join(', ') || 'no roles'}`
        + `${who.rooms.length ? ` in ${who.rooms.join(', ')}` : ''}`
        + `${who.expiresAtMs ? ` · until ${time(who.expiresAtMs)}` : ''}`
      : 'Not signed in.';
    if (who && who.expiresAtMs && who.expiresAtMs < Date.now()) say(ui.message, 'This token has expired.', 'warn');
    else if (who && !who.roles.includes(role) && !who.roles.includes('admin')) {
      say(ui.message, `This token has no ${role} role: the server will refuse most requests.`, 'warn');
    } else say(ui.message, '');
    onChange(who);
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const token = ui.token.value.trim();
    if (token) apply(token);
    else ui.token.focus();
  });
  ui.devButton.addEventListener('click', () => guarded(ui.devButton, ui.message, async () => {
    const user = ui.devUser.value.trim() || defaultUser;
    try {
      apply(await devToken(user, user, ui.devRole.value));
    } catch (error) {
      if (error.status === 404) throw new Error('No dev token endpoint here (not `danmaku dev`): paste a token.');
      throw error;
    }
  }));
  ui.signOut.addEventListener('click', () => apply(''));
  apply(session.token);
  return { signOut: () => apply('') };
}

/** A WebSocket URL on this page's host. */
export function wsUrl(path) {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${path}`;
}
