// Registers the portal's service worker (served at /portal/sw.js, scope /portal/): the last loaded pages open
// offline. On the sign-in page (after signing out) the kept pages are dropped: a shared phone shows no one's data.
if ("serviceWorker" in navigator) {
  window.addEventListener("load", function () {
    navigator.serviceWorker.register("/portal/sw.js", { scope: "/portal/" }).catch(function () {});
  });
}
if ("caches" in window && location.pathname.indexOf("/portal/signin") === 0) {
  caches.delete("portal-v1").catch(function () {});
}
