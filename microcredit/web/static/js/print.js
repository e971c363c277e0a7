// Print buttons (<button data-print>) without inline onclick handlers, which the CSP forbids.
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) { window.print(); }
});
