// Forum forms: "Preview" shows the rendered text in place, without leaving the page.
// Without JavaScript the same button submits the form and the page comes back with the preview.
(function () {
  "use strict";

  function showPreview(form, button) {
    var target = form.querySelector("[data-preview-target]");
    var box = form.querySelector(".preview");
    var body = form.querySelector("textarea[name=body]");
    var token = form.querySelector("input[name=_csrf_token]");
    if (!target || !box || !body || !token) {
      return false;
    }
    var data = new FormData();
    data.append("body", body.value);
    button.disabled = true;
    fetch("/community/preview", {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "x-csrf-token": token.value },
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("preview failed: " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        // The server returns HTML sanitised exactly as a stored post is.
        target.innerHTML = html;
        box.hidden = false;
      })
      .catch(function () {
        form.requestSubmit(button);
      })
      .finally(function () {
        button.disabled = false;
      });
    return true;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-preview-button]");
    if (!button) {
      return;
    }
    var form = button.closest("form[data-preview-form]");
    if (form && showPreview(form, button)) {
      event.preventDefault();
    }
  });

  // A second click while the first submission is on its way would post twice.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-preview-form]")) {
      return;
    }
    var submitter = event.submitter;
    if (submitter && submitter.value === "preview") {
      return;
    }
    if (form.dataset.submitting === "1") {
      event.preventDefault();
      return;
    }
    form.dataset.submitting = "1";
  });
})();
