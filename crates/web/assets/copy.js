// A button with data-copy="ID" copies the text of the element ID to the
// clipboard (a new API token's secret). Without this script, or where the
// browser offers no clipboard (an insecure context), the button stays
// hidden and the text can still be selected.
(() => {
  if (!navigator.clipboard || !window.isSecureContext) return;
  for (const button of document.querySelectorAll('button[data-copy]')) {
    const source = document.getElementById(button.dataset.copy);
    if (!source) continue;
    button.hidden = false;
    const label = button.textContent;
    button.addEventListener('click', async () => {
      await navigator.clipboard.writeText(source.textContent.trim());
      button.textContent = button.dataset.copied || label;
      setTimeout(() => { button.textContent = label; }, 2000);
    });
  }
})();
