// pplearn: the portfolio's "Print or save as PDF" button opens the browser's print window.
// Kept out of the HTML so that a Content Security Policy can forbid inline scripts.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-print-page]").forEach((button) => {
    button.addEventListener("click", () => window.print());
  });
});
