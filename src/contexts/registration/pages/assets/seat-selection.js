// Seat selection (DOMAIN 6.1): recomputes "Estimated Total:" from the quantity selectors as they
// change (informational; the order is priced on the server).
(function () {
  'use strict';
  var form = document.querySelector('form.seat-selection');
  var output = document.querySelector('.estimated-total output');
  if (!form || !output) return;
  var dollars = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

  function update() {
    var cents = 0;
    var selectors = form.querySelectorAll('select[data-price]');
    for (var i = 0; i < selectors.length; i++) {
      cents += Number(selectors[i].getAttribute('data-price')) * Number(selectors[i].value);
    }
    output.textContent = dollars.format(cents / 100);
  }
  form.addEventListener('change', update);
  form.addEventListener('input', update);
  update();
})();
