// The household portal's service worker (issue #14 §2): network first, the cache when offline.
// Served at /portal/sw.js (scope /portal/). Every portal page and static file a household loads is kept,
// so the last loaded pages open without a connection. Sign-in pages and the API are never kept.
var CACHE = "portal-v1";
var NEVER = ["/portal/signin", "/portal/signout", "/portal/sw.js", "/api/"];

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

function keep(url) {
  if (url.origin !== self.location.origin) return false;
  if (NEVER.some(function (p) { return url.pathname.indexOf(p) === 0; })) return false;
  return url.pathname.indexOf("/portal/") === 0 || url.pathname.indexOf("/static/") === 0;
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (!keep(url)) return;
  event.respondWith(fetch(request).then(function (response) {
    if (response.ok && !response.redirected) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(request).then(function (hit) {
      return hit || new Response("<!doctype html><meta charset=utf-8><title>离线</title><p>当前没有网络，这一页还没有保存过。请联网后再打开。</p>",
        { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
    });
  }));
});
