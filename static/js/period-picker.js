/* Show only the fields the chosen period needs (all stay in the form, so it also works without script). */
(function () {
  "use strict";
  var kind = document.getElementById("id_period");
  if (!kind) return;
  var needs = { month: ["year", "month"], quarter: ["year", "quarter"], year: ["year"], custom: ["start", "end"], "": ["year"] };
  function update() {
    var shown = needs[kind.value] || needs[""];
    document.querySelectorAll("[data-for-period]").forEach(function (field) {
      var name = field.dataset.forPeriod;
      if (name === "period") return;
      field.hidden = shown.indexOf(name) === -1 && !field.classList.contains("has-error");
    });
  }
  kind.addEventListener("change", update);
  update();
  var print = document.querySelector("[data-print]");
  if (print && !print.dataset.printBound) {  // static/js/print.js may have bound it already
    print.dataset.printBound = "1";
    print.addEventListener("click", function () { window.print(); });
  }
})();
