// Citizens' portal: show the delivery address only when delivery is chosen.
(function () {
  "use strict";
  function setup(form) {
    var address = form.querySelector("[name=delivery_address]");
    if (!address) { return; }
    var label = form.querySelector("label[for=" + address.id + "]");
    function update() {
      var chosen = form.querySelector("[name=handover]:checked");
      var show = chosen && chosen.value === "delivery";
      address.hidden = !show;
      if (label) { label.hidden = !show; }
    }
    form.addEventListener("change", update);
    update();
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-portal-apply]").forEach(setup);
  });
})();
