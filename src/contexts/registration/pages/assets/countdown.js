// The countdown box (DOMAIN 6.1): ticks the time left of the hold every second from the remaining
// seconds the server wrote into the page (the client's clock does not matter: only the time elapsed
// since the page loaded counts), and opens the expired page at zero.
(function () {
  'use strict';
  var box = document.querySelector('.countdown[data-remaining]');
  if (!box) return;
  var time = box.querySelector('.countdown-time');
  var end = performance.now() + Number(box.getAttribute('data-remaining')) * 1000;
  var expiredHref = box.getAttribute('data-expired-href');

  // The same format as the server's durationText (duration.ts): mm:ss, hh:mm:ss from one hour.
  function two(n) {
    return (n < 10 ? '0' : '') + n;
  }
  function text(seconds) {
    var hours = Math.floor(seconds / 3600);
    var rest = two(Math.floor((seconds % 3600) / 60)) + ':' + two(seconds % 60);
    return hours > 0 ? two(hours) + ':' + rest : rest;
  }

  function tick() {
    var left = Math.max(0, end - performance.now());
    var seconds = Math.ceil(left / 1000);
    time.textContent = text(seconds);
    if (seconds === 0) {
      window.location.assign(expiredHref);
      return;
    }
    // Wake up just after the next whole second.
    setTimeout(tick, (left % 1000 || 1000) + 20);
  }
  tick();
})();
