// Checkout (DOMAIN 6.1): the confirmation e-mail must be given and match the e-mail address. The
// browser says so before sending; the server checks again.
(function () {
  'use strict';
  var form = document.querySelector('form.registrant');
  if (!form) return;
  var email = form.querySelector('[name="email"]');
  var confirmation = form.querySelector('[name="confirmEmail"]');

  function check() {
    var given = confirmation.value.trim();
    if (given === '') confirmation.setCustomValidity('Please confirm the e-mail address.');
    else if (given.toLowerCase() !== email.value.trim().toLowerCase()) confirmation.setCustomValidity('E-Mail addresses do not match.');
    else confirmation.setCustomValidity('');
  }
  email.addEventListener('input', check);
  confirmation.addEventListener('input', check);
  check();
})();
