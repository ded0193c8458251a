// Attendance (Presensi): sends the phone's clock with every tap and, for an office check-in, its location.
// The server decides (geofence, roster, clock skew); this file only gathers what it needs and explains
// a refused location permission in the page's own words.
(function () {
  "use strict";

  function setField(form, name, value) {
    var input = form.querySelector('input[name="' + name + '"]');
    if (input) input.value = value;
  }

  function say(form, key) {
    var status = form.querySelector(".attendance-geo");
    if (status) status.textContent = status.getAttribute("data-msg-" + key) || "";
  }

  function chosenMode(form) {
    var checked = form.querySelector('input[name="mode"]:checked');
    return checked ? checked.value : "";
  }

  function send(form, button) {
    setField(form, "client_time", new Date().toISOString());
    if (button) button.disabled = true; // a double tap sends once; the idempotency key covers retries
    form.submit();
  }

  function onSubmit(event) {
    var form = event.currentTarget;
    var button = form.querySelector('button[type="submit"]');
    event.preventDefault();
    if (button && button.disabled) return;
    if (form.getAttribute("data-geo") !== "on" || chosenMode(form) !== "wfo") {
      send(form, button);
      return;
    }
    if (!("geolocation" in navigator)) {
      say(form, "unsupported");
      return;
    }
    say(form, "locating");
    if (button) button.disabled = true;
    navigator.geolocation.getCurrentPosition(
      function (position) {
        setField(form, "latitude", position.coords.latitude.toFixed(6));
        setField(form, "longitude", position.coords.longitude.toFixed(6));
        setField(form, "accuracy", Math.round(position.coords.accuracy || 0));
        if (button) button.disabled = false;
        send(form, button);
      },
      function (error) {
        if (button) button.disabled = false;
        say(form, error.code === 1 ? "denied" : "unavailable");
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 30000 }
    );
  }

  function init() {
    var forms = document.querySelectorAll("form.attendance-form");
    for (var i = 0; i < forms.length; i++) forms[i].addEventListener("submit", onSubmit);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
