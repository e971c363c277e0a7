// Registers the portal's service worker (served at /portal/sw.js, scope /portal/): the last loaded pages open offline.
if ("serviceWorker" in navigator) {
  window.addEventListener("load", function () {
    navigator.serviceWorker.register("/portal/sw.js", { scope: "/portal/" }).catch(function () {});
  });
}
