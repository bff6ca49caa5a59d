// Service worker: keeps the app shell available offline and installable.
// Strategy: network first (a deploy is picked up at once), cache as fallback.
// Only the shell below is ever cached; the signaling socket (/ws), any other
// path of the server (admin, metrics, health) and cross-origin requests pass
// straight through untouched.

const CACHE = 'signalmesh-shell-v1';
const SHELL = [
  './',
  'index.html',
  'styles.css',
  'app.js',
  'signalmesh-client.js',
  'modules/call.js',
  'modules/hooks.js',
  'modules/media.js',
  'modules/peer.js',
  'modules/quality.js',
  'modules/stats.js',
  'modules/transfer.js',
  'modules/ui.js',
  'manifest.webmanifest',
  'icons/icon.svg',
  'icons/icon-192.png',
  'icons/icon-512.png',
];
const SHELL_URLS = new Set(SHELL.map((p) => new URL(p, self.registration.scope).href));

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) if (key !== CACHE) await caches.delete(key);
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.endsWith('/ws') || req.headers.get('upgrade')) return; // never the socket
  const scopePath = new URL(self.registration.scope).pathname;
  // the app page itself, whatever its query (?room=...); other pages pass through
  const isAppPage = req.mode === 'navigate' &&
    (url.pathname === scopePath || url.pathname === `${scopePath}index.html`);
  const key = isAppPage ? new URL('./', self.registration.scope).href : url.origin + url.pathname;
  if (!isAppPage && (req.mode === 'navigate' || !SHELL_URLS.has(key))) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    try {
      const res = await fetch(req);
      if (res.ok && res.type === 'basic') cache.put(key, res.clone());
      return res;
    } catch (err) {
      const hit = await cache.match(key);
      if (hit) return hit;
      throw err;
    }
  })());
});
