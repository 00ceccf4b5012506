// The few live parts of the view, without inline scripts (the view's CSP allows none).
document.addEventListener('click', (e) => {
  const b = e.target.closest('[data-copy]');
  if (!b) return;
  navigator.clipboard?.writeText(document.getElementById(b.dataset.copy)?.textContent ?? '');
  b.textContent = 'copied 已复制';
});
