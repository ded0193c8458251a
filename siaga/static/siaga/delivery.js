// Proof of delivery: fill the optional location fields from the phone's position, when the courier allows it.
(function () {
  "use strict";
  function fill() {
    var forms = document.querySelectorAll("form.js-geo");
    if (!forms.length || !navigator.geolocation) { return; }
    navigator.geolocation.getCurrentPosition(function (pos) {
      forms.forEach(function (form) {
        var lat = form.querySelector(".js-lat"), lon = form.querySelector(".js-lon");
        if (lat && lon) {
          lat.value = pos.coords.latitude.toFixed(6);
          lon.value = pos.coords.longitude.toFixed(6);
        }
      });
    }, function () { /* no position: the location stays empty (optional) */ }, { timeout: 10000, maximumAge: 60000 });
  }
  // A card swapped in by htmx (after "Berangkat") brings a new proof-of-delivery form.
  document.addEventListener("htmx:afterSwap", fill);
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", fill); } else { fill(); }
})();
