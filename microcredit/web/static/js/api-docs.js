// Starts the vendored Swagger UI on /api/v1/docs (a static file: the CSP forbids inline scripts).
// Settings come from the page's <script type="application/json" id="swagger-settings">; calls
// made from the page use the browser session, so they carry the CSRF token.
(function () {
  var config = JSON.parse(document.getElementById("swagger-settings").textContent);
  var csrfToken = document.body.dataset.csrfToken;
  config.dom_id = "#swagger-ui";
  config.presets = [SwaggerUIBundle.presets.apis];  // BaseLayout needs no standalone preset
  config.requestInterceptor = function (req) {
    if (csrfToken) { req.headers["X-CSRFToken"] = csrfToken; }
    return req;
  };
  SwaggerUIBundle(config);
})();
