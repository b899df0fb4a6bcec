// pplearn: behaviour that progressively enhances server-rendered pages.
// Kept out of the HTML so that a Content Security Policy can forbid inline scripts.
document.addEventListener("DOMContentLoaded", () => {
  // Submit filter forms when a select changes (they also have a submit button without JS).
  document.querySelectorAll("form[data-autosubmit] select").forEach((select) => {
    select.addEventListener("change", () => select.form.requestSubmit());
  });
  // Ask before a destructive action; the action is still a POST form without JS.
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
});
