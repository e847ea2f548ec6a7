(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var table = document.getElementById("all-actions");
  if (!table) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var status = document.getElementById("filter-status");
  var input = document.getElementById("filter");
  // each choice and the row attribute it is compared with
  var choices = [["filter-objective", "data-objective"], ["filter-lead", "data-lead"],
                 ["filter-rag", "data-rag"]].map(function (pair) {
    return {select: document.getElementById(pair[0]), attribute: pair[1]};
  }).filter(function (choice) { return choice.select; });
  function apply() {
    var words = input.value.toLowerCase().trim();
    var shown = 0;
    rows.forEach(function (row) {
      var match = !words || row.textContent.toLowerCase().indexOf(words) !== -1;
      choices.forEach(function (choice) {
        var wanted = choice.select.value;
        if (wanted && (row.getAttribute(choice.attribute) || "").trim() !== wanted) {
          match = false;
        }
      });
      row.hidden = !match;
      if (match) { shown += 1; }
    });
    status.textContent = shown + " of " + rows.length + " actions shown";
  }
  input.addEventListener("input", apply);
  choices.forEach(function (choice) { choice.select.addEventListener("change", apply); });
  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
  headers.forEach(function (th, col) {
    var button = th.querySelector("button");
    if (!button) { return; }
    button.addEventListener("click", function () {
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var numeric = th.getAttribute("data-type") === "number";
      rows.sort(function (a, b) {
        var x = a.cells[col].getAttribute("data-sort") || a.cells[col].textContent;
        var y = b.cells[col].getAttribute("data-sort") || b.cells[col].textContent;
        var d = numeric ? parseFloat(x) - parseFloat(y) : x.localeCompare(y, "en-GB");
        return ascending ? d : -d;
      });
      rows.forEach(function (row) { body.appendChild(row); });
      status.textContent = "Sorted by " + button.getAttribute("data-name") + ", " +
        (ascending ? "ascending" : "descending");
    });
  });
}());
