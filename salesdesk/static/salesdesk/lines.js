/* Salesdesk line entry: product autocomplete, Enter moves on (and adds a line at the end),
   remove a line, live totals (htmx re-posts the form on "sd:lines-changed"), and the
   contract picker limited to the chosen customer's contracts. */
(function () {
  "use strict";
  var form = document.querySelector(".line-entry-form");
  if (!form) { return; }
  var table = form.querySelector("table.line-entry");
  var searchUrl = table ? table.getAttribute("data-search-url") : "";
  var changedTimer = null;

  function linesChanged(delay) {
    window.clearTimeout(changedTimer);
    changedTimer = window.setTimeout(function () {
      document.body.dispatchEvent(new CustomEvent("sd:lines-changed", { bubbles: true }));
    }, delay === undefined ? 300 : delay);
  }

  function rowOf(el) { return el.closest("tr.line-row"); }
  function rows() { return Array.prototype.slice.call(form.querySelectorAll("tr.line-row:not(.d-none)")); }
  function hiddenProduct(row) { return row.querySelector("input[type=hidden][name$='-product']"); }
  function fields(row) {
    return Array.prototype.slice.call(row.querySelectorAll("input.product-search, input[name$='-quantity'], input[name$='-unit_price'], input[name$='-discount_percent']"));
  }

  function renumber() {
    rows().forEach(function (row, i) {
      var cell = row.querySelector(".line-number");
      if (cell) { cell.textContent = String(i + 1); }
    });
  }

  function addLine() {
    var add = form.querySelector("[data-formset-add]");
    if (add) { add.click(); }
  }

  function focusNewLine() {
    var all = rows();
    var last = all[all.length - 1];
    var search = last && last.querySelector("input.product-search");
    if (search) { search.focus(); }
    renumber();
  }

  /* --- autocomplete ------------------------------------------------------------------- */
  var searchTimer = null;

  function results(row) { return row.querySelector(".product-results"); }

  function closeResults(row) {
    var box = results(row);
    if (!box) { return; }
    box.classList.add("d-none");
    box.textContent = "";
    row.querySelector("input.product-search").setAttribute("aria-expanded", "false");
  }

  function choose(row, item) {
    hiddenProduct(row).value = item.getAttribute("data-id");
    row.querySelector("input.product-search").value = item.getAttribute("data-label");
    closeResults(row);
    var qty = row.querySelector("input[name$='-quantity']");
    if (qty) {
      if (!qty.value) { qty.value = "1"; }
      qty.focus();
      qty.select();
    }
    linesChanged(0);
  }

  function showResults(row, data) {
    var box = results(row);
    box.textContent = "";
    if (!data.results.length) {
      var none = document.createElement("div");
      none.className = "list-group-item small text-body-secondary";
      none.textContent = box.getAttribute("data-empty") || "—";
      box.appendChild(none);
    }
    data.results.forEach(function (p, i) {
      var item = document.createElement("button");
      item.type = "button";
      item.className = "list-group-item list-group-item-action small py-1" + (i === 0 ? " active" : "");
      item.setAttribute("role", "option");
      item.setAttribute("tabindex", "-1");
      item.setAttribute("data-id", p.id);
      item.setAttribute("data-label", p.label);
      var name = document.createElement("span");
      name.textContent = p.label;
      var price = document.createElement("span");
      price.className = "float-end text-body-secondary ms-2";
      price.textContent = p.list_price;
      item.appendChild(name);
      item.appendChild(price);
      box.appendChild(item);
    });
    box.classList.remove("d-none");
    row.querySelector("input.product-search").setAttribute("aria-expanded", "true");
  }

  function search(input) {
    var row = rowOf(input);
    hiddenProduct(row).value = "";
    window.clearTimeout(searchTimer);
    var q = input.value.trim();
    if (!q) { closeResults(row); linesChanged(); return; }
    searchTimer = window.setTimeout(function () {
      fetch(searchUrl + "?q=" + encodeURIComponent(q), { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (data) { if (input.value.trim() === q) { showResults(row, data); } })
        .catch(function () { closeResults(row); });
    }, 150);
  }

  function move(row, step) {
    var box = results(row);
    var items = Array.prototype.slice.call(box.querySelectorAll("[data-id]"));
    if (!items.length) { return; }
    var current = items.findIndex(function (el) { return el.classList.contains("active"); });
    var next = Math.max(0, Math.min(items.length - 1, current + step));
    items.forEach(function (el, i) { el.classList.toggle("active", i === next); });
    items[next].scrollIntoView({ block: "nearest" });
  }

  /* --- events ------------------------------------------------------------------------- */
  form.addEventListener("input", function (event) {
    if (event.target.matches("input.product-search")) { search(event.target); return; }
    if (event.target.closest("tr.line-row")) { linesChanged(); }
  });

  form.addEventListener("change", function (event) {
    if (event.target.matches("select, input[type=date]")) { linesChanged(0); }
    if (event.target.matches("select[name=customer]")) { filterContracts(); }
  });

  form.addEventListener("keydown", function (event) {
    var target = event.target;
    var row = rowOf(target);
    if (!row) { return; }
    if (target.matches("input.product-search")) {
      var open = !results(row).classList.contains("d-none");
      if (event.key === "ArrowDown") { event.preventDefault(); move(row, 1); return; }
      if (event.key === "ArrowUp") { event.preventDefault(); move(row, -1); return; }
      if (event.key === "Escape") { closeResults(row); return; }
      if (event.key === "Enter") {
        event.preventDefault();
        var active = open && results(row).querySelector("[data-id].active");
        if (active) { choose(row, active); }
        return;
      }
    }
    if (event.key !== "Enter" || target.tagName !== "INPUT") { return; }
    event.preventDefault();
    var list = fields(row);
    var at = list.indexOf(target);
    if (at >= 0 && at < list.length - 1) { list[at + 1].focus(); list[at + 1].select(); return; }
    var all = rows();
    var next = all[all.indexOf(row) + 1];
    if (next) { next.querySelector("input.product-search").focus(); return; }
    addLine();
  });

  form.addEventListener("mousedown", function (event) {
    var item = event.target.closest(".product-results [data-id]");
    if (item) { event.preventDefault(); choose(rowOf(item), item); }
  });

  form.addEventListener("focusout", function (event) {
    if (!event.target.matches("input.product-search")) { return; }
    var row = rowOf(event.target);
    window.setTimeout(function () { closeResults(row); }, 150);
  });

  form.addEventListener("click", function (event) {
    var remove = event.target.closest(".remove-line");
    if (remove) {
      var row = rowOf(remove);
      var box = row.querySelector("input[type=checkbox][name$='-DELETE']");
      if (box) { box.checked = true; }
      row.classList.add("d-none");
      var errors = row.previousElementSibling;
      if (errors && errors.classList.contains("line-errors")) { errors.classList.add("d-none"); }
      renumber();
      linesChanged(0);
      return;
    }
    if (event.target.closest("[data-formset-add]")) {
      window.setTimeout(focusNewLine, 0);
    }
  });

  /* --- contracts of the chosen customer only ------------------------------------------ */
  function filterContracts() {
    var map = document.getElementById("contract-customers");
    var select = form.querySelector("select[name=contract]");
    var customer = form.querySelector("select[name=customer]");
    if (!map || !select || !customer) { return; }
    var owners = JSON.parse(map.textContent);
    Array.prototype.forEach.call(select.options, function (option) {
      if (!option.value) { return; }
      var mine = owners[option.value] === customer.value;
      option.hidden = !mine;
      option.disabled = !mine;
      if (!mine && option.selected) { select.value = ""; }
    });
  }

  filterContracts();
  renumber();
})();
