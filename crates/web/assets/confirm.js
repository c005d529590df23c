// A form with data-confirm="question" asks before it is sent: disabling an
// account, revoking a token, opening a reporting round. Without this script
// the form is sent as it is; the server decides, as always, who may.
document.addEventListener('submit', (event) => {
  const question = event.target instanceof HTMLFormElement && event.target.dataset.confirm;
  if (question && !window.confirm(question)) event.preventDefault();
}, true);
