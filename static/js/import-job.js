// The background import's progress page: poll the job's status, move the bar, reload when it stops.
(function () {
  "use strict";
  var box = document.getElementById("import-job");
  if (!box || box.dataset.running !== "1") return;
  var bar = document.getElementById("import-job-bar");
  var label = document.getElementById("import-job-status");
  var count = document.getElementById("import-job-count");
  function poll() {
    fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (s) {
        if (!s.running) { window.location.reload(); return; }
        bar.value = s.percent;
        label.textContent = s.status_label;
        count.textContent = "已处理 " + s.done + " / " + s.total + " 行";
        window.setTimeout(poll, 1500);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
