// Evidence drafts: a live word counter, the reflection format switch, and a copy of what
// the teacher types kept on this device, so an expired session or a lost connection never
// loses work. The form also works without any of this: the server validates and saves.
(() => {
  const form = document.getElementById("submission-form");
  if (!form) return;

  const countWords = (text) => (text.trim() ? text.trim().split(/\s+/).length : 0);

  // Live word counter (the server counts the same way: runs of non-space characters).
  const textarea = form.elements.namedItem("reflection");
  const counter = document.getElementById("word-count");
  const updateCount = () => {
    if (!textarea || !counter) return;
    const min = Number(counter.dataset.wordMin);
    const max = Number(counter.dataset.wordMax);
    const words = countWords(textarea.value);
    let hint = "";
    if (words < min) hint = ` · ${min - words} more to reach ${min}`;
    else if (words > max) hint = ` · ${words - max} over the ${max} limit`;
    else hint = " · within the range";
    counter.textContent = `${words} words (${min}-${max} words)${hint}`;
    counter.classList.toggle("in-range", words >= min && words <= max);
    counter.classList.toggle("out-of-range", words > max);
  };
  textarea?.addEventListener("input", updateCount);
  updateCount();

  // Show the text or the video part of the reflection, as chosen.
  const textPart = document.querySelector(".reflection-text");
  const videoPart = document.querySelector(".reflection-video");
  const showFormat = () => {
    const chosen = document.querySelector("input[name=reflection_format]:checked");
    const video = chosen && chosen.value === "video";
    if (textPart) textPart.hidden = video;
    if (videoPart) videoPart.hidden = !video;
  };
  document.querySelectorAll("input[name=reflection_format]").forEach((radio) => {
    radio.addEventListener("change", showFormat);
  });
  showFormat();

  // Keep a copy on this device; restore it if it is newer than the server's draft.
  const key = `pplearn:${form.dataset.draftKey}`;
  const fields = () =>
    Array.from(form.elements).filter(
      (el) => el.name && el.name !== "csrfmiddlewaretoken" && el.type !== "file",
    );
  const snapshot = () => {
    const values = {};
    fields().forEach((el) => {
      if (el.type === "radio") {
        if (el.checked) values[el.name] = el.value;
      } else {
        values[el.name] = el.value;
      }
    });
    return values;
  };
  const keepCopy = () => {
    try {
      localStorage.setItem(key, JSON.stringify({ at: Date.now() / 1000, values: snapshot() }));
    } catch (error) {
      // Private browsing or a full storage: the server autosave still runs.
    }
  };
  const restore = () => {
    let stored = null;
    try {
      stored = JSON.parse(localStorage.getItem(key) || "null");
    } catch (error) {
      stored = null;
    }
    if (!stored) return;
    const savedAt = Number(form.dataset.savedAt || 0);
    if (stored.at <= savedAt) return;
    const current = snapshot();
    const differs = Object.keys(stored.values).some((name) => stored.values[name] !== current[name]);
    if (!differs) return;
    fields().forEach((el) => {
      if (!(el.name in stored.values)) return;
      if (el.type === "radio") el.checked = el.value === stored.values[el.name];
      else el.value = stored.values[el.name];
    });
    const note = document.createElement("div");
    note.className = "alert alert-info";
    note.setAttribute("role", "status");
    note.textContent =
      "We restored what you typed on this device that had not reached the server yet. " +
      "It is being saved now.";
    form.prepend(note);
    updateCount();
    showFormat();
    document.getElementById("autosave")?.dispatchEvent(new Event("draftblur"));
  };
  // The draft's fields sit in several sections, tied to the form by its id, so listen on
  // the document and tell the autosave element (htmx) when one of them changes.
  const autosave = document.getElementById("autosave");
  const ours = (event) => event.target && event.target.form === form;
  document.addEventListener("input", (event) => {
    if (!ours(event)) return;
    keepCopy();
    autosave?.dispatchEvent(new Event("draftchange"));
  });
  document.addEventListener("change", (event) => {
    if (!ours(event)) return;
    keepCopy();
    autosave?.dispatchEvent(new Event("draftchange"));
  });
  document.addEventListener("focusout", (event) => {
    if (ours(event)) autosave?.dispatchEvent(new Event("draftblur"));
  });
  // After htmx has set up the autosave element, so a restored copy is saved at once.
  window.addEventListener("load", restore);

  // Autosave results: a 401 means the session expired; say so and keep the copy.
  const expired = document.getElementById("session-expired");
  document.body.addEventListener("htmx:responseError", (event) => {
    const status = event.detail.xhr.status;
    const statusLine = document.getElementById("autosave-status");
    if (status === 401 && expired) {
      expired.classList.remove("d-none");
      if (statusLine) statusLine.textContent = "Not saved: you were signed out";
    } else if (statusLine) {
      statusLine.textContent = event.detail.xhr.responseText || "Not saved: try again";
    }
  });
  document.body.addEventListener("htmx:sendError", () => {
    const statusLine = document.getElementById("autosave-status");
    if (statusLine) statusLine.textContent = "Offline: kept on this device, will save when back";
  });
  document.body.addEventListener("htmx:afterRequest", (event) => {
    if (event.detail.successful && event.detail.elt.id === "autosave") {
      form.dataset.savedAt = String(Date.now() / 1000);
      if (expired) expired.classList.add("d-none");
    }
  });
})();
