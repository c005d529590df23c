// On a phone the site's navigation folds behind a "Menu" button. Without
// this script the navigation simply stays open (the button stays hidden),
// so every page is reachable with scripts off.
(() => {
  const header = document.querySelector('header.site');
  const button = header && header.querySelector('button.menu');
  if (!button) return;
  header.classList.add('folds');
  button.hidden = false;
  button.addEventListener('click', () => {
    const open = button.getAttribute('aria-expanded') !== 'true';
    button.setAttribute('aria-expanded', String(open));
    header.classList.toggle('open', open);
  });
})();
