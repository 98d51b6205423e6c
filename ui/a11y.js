// Accessibility fixes to Streamlit's own markup (axe-core; tests/browser/test_accessibility.py).
(() => {
  if (window.lstmVizA11y) return;  // sent with every run: one observer per page
  window.lstmVizA11y = true;
  // The file uploader's drop zone is a section with role "presentation" and an aria-label: a
  // label on an element marked as presentational, so browsers ignore the role and expose it
  // anyway (presentation-role-conflict). Say what it is: a labelled group around its button.
  // (No markup in this file, not even in a comment: DOMPurify drops a script that has some.)
  const ZONE = '[data-testid="stFileUploaderDropzone"][role="presentation"]';
  const fix = () => document.querySelectorAll(ZONE).forEach((el) => el.setAttribute("role", "group"));
  fix();
  new MutationObserver(fix).observe(document.body, {
    subtree: true, childList: true, attributes: true, attributeFilter: ["role"],
  });
})();
