// pplearn: behaviour that progressively enhances server-rendered pages.
// Kept out of the HTML so that a Content Security Policy can forbid inline scripts.
document.addEventListener("DOMContentLoaded", () => {
  // Submit filter forms when a select changes (they also have a submit button without JS).
  document.querySelectorAll("form[data-autosubmit] select").forEach((select) => {
    select.addEventListener("change", () => select.form.requestSubmit());
  });
  // Ctrl+Enter (Cmd+Enter on a Mac) submits forms built for the keyboard, like scoring.
  document.querySelectorAll("form[data-ctrl-enter]").forEach((form) => {
    form.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        form.requestSubmit(form.querySelector("button[type=submit]"));
      }
    });
  });
  // Ask before a destructive action; the action is still a POST form without JS.
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
});
