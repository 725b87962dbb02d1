/* "打印" buttons ([data-print]): the browser's print dialog; the print stylesheet lays the page out on A4. */
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    if (button.dataset.printBound) return;
    button.dataset.printBound = "1";
    button.addEventListener("click", function () { window.print(); });
  });
})();
