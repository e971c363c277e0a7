/* The shared list component (issue #11 §1). Every table.data:
 *  - is wrapped in .table-wrap (sideways scroll on desktop, first column sticky in app.css);
 *  - each cell gets its header's text as data-label and the header's key/low class, so that under
 *    600 px app.css shows every row as a card: the key cells (th.key; when a table marks none, all
 *    of up to four columns or the first three) first, the rest behind the card's 「更多」 button;
 * and every details.filters-fold (the 「筛选」 button around a list's filters) starts closed on a
 * phone unless a filter is set, open on a desktop. No dependencies. */
(function () {
  "use strict";
  var PHONE = window.matchMedia("(max-width: 600px)");

  function columns(table) {
    var head = table.tHead && table.tHead.rows[0];
    var cols = [];
    if (!head) return cols;
    Array.prototype.forEach.call(head.cells, function (th) {
      for (var i = 0; i < th.colSpan; i++) cols.push(th);
    });
    var marked = cols.some(function (th) { return th.classList.contains("key"); });
    return cols.map(function (th, i) {
      var label = th.textContent.trim();  // an unlabelled column holds the row's actions: always shown
      return {label: label, low: th.classList.contains("low"),
              key: !label || (marked ? th.classList.contains("key") : cols.length <= 4 || i < 3)};
    });
  }

  function toggle(event) {
    var row = event.currentTarget.closest("tr");
    var open = row.classList.toggle("open");
    event.currentTarget.setAttribute("aria-expanded", open ? "true" : "false");
    event.currentTarget.textContent = open ? "收起" : "更多";
  }

  function cardify(table) {
    if (table.classList.contains("cards")) return;
    if (!table.parentElement.classList.contains("table-wrap")) {
      var wrap = document.createElement("div");
      wrap.className = "table-wrap";
      table.parentNode.insertBefore(wrap, table);
      wrap.appendChild(table);
    }
    var cols = columns(table);
    if (!cols.length) return;
    table.classList.add("cards");
    var bodies = Array.prototype.slice.call(table.tBodies).concat(table.tFoot ? [table.tFoot] : []);
    bodies.forEach(function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        var at = 0, hidden = false;
        Array.prototype.forEach.call(row.cells, function (cell) {
          var col = cols[at];
          if (cell.colSpan > 1 || !col) {
            cell.classList.add("key", "full");
          } else {
            cell.setAttribute("data-label", col.label);
            if (col.key) cell.classList.add("key"); else hidden = true;
            if (col.low) cell.classList.add("low");
          }
          at += cell.colSpan;
        });
        if (hidden) {
          var more = row.insertCell(-1);
          more.className = "card-more";
          var button = document.createElement("button");
          button.type = "button";
          button.className = "outline secondary";
          button.setAttribute("aria-expanded", "false");
          button.textContent = "更多";
          button.addEventListener("click", toggle);
          more.appendChild(button);
        }
      });
    });
  }

  function fold(details) {  // open on a desktop, or when the address carries a filter
    details.open = !PHONE.matches || /[?&](?!page=)[^=&]+=[^&]/.test(window.location.search);
  }

  function init(root) {
    Array.prototype.forEach.call(root.querySelectorAll("table.data"), cardify);
    Array.prototype.forEach.call(root.querySelectorAll("details.filters-fold"), fold);
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSwap", function (event) { init(event.target); });
  PHONE.addEventListener("change", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details.filters-fold"), fold);
  });
})();
