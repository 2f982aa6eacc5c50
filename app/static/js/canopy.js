// Canopy's page behaviour: dialogs, toasts, row selection and the celebration.
// Kept in a static file because the Content-Security-Policy forbids inline
// scripts and htmx's eval-based attributes.
(function () {
  "use strict";

  const AUTO_DISMISS_MS = 8000;
  const CELEBRATION_MS = 2400;
  const reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)");
  let dialogOpener = null;

  function dialogHost() {
    return document.getElementById("dialog-host");
  }

  // Dialogs -----------------------------------------------------------------

  function openDialogIn(host) {
    const dialog = host.querySelector("dialog");
    if (dialog && !dialog.open) {
      dialog.addEventListener("close", () => onDialogClosed(dialog));
      dialog.showModal();
    }
  }

  function onDialogClosed(dialog) {
    dialog.remove();
    if (focusNewToast()) {
      return;
    }
    if (dialogOpener && dialogOpener.isConnected) {
      dialogOpener.focus();
    } else {
      focusListOrMain();
    }
  }

  function closeOpenDialog() {
    const dialog = dialogHost().querySelector("dialog[open]");
    if (dialog) dialog.close();
  }

  // A row menu's items hide when the menu closes: focus returns to its button.
  function focusableOpener(element) {
    const menu = element && element.closest("details.row-menu");
    return menu ? menu.querySelector("summary") : element;
  }

  document.addEventListener("htmx:beforeRequest", (event) => {
    const target = event.detail.target;
    if (target === dialogHost() && !target.querySelector("dialog[open]")) {
      dialogOpener = focusableOpener(document.activeElement);
      closeRowMenus();
    }
  });

  // htmx fires afterSwap on every element a response swapped, out-of-band ones
  // included, each with the same detail.target: only the host's own event counts.
  document.addEventListener("htmx:afterSwap", (event) => {
    const host = dialogHost();
    if (event.target !== host) return;
    if (!host.querySelector("dialog")) {
      // The server answered a dialog form with no dialog: the action is done.
      onDialogClosed(document.createElement("dialog"));
    }
    // A new dialog opens after settling (below): htmx focuses [autofocus] only
    // then, and would take focus back from a key pressed in between.
  });

  document.addEventListener("click", (event) => {
    const closer = event.target.closest("[data-close-dialog]");
    if (closer) {
      const dialog = closer.closest("dialog");
      if (dialog) dialog.close();
    }
  });

  // Toasts ------------------------------------------------------------------

  function focusNewToast() {
    const toast = document.querySelector("#toasts [data-focus]");
    if (!toast) return false;
    toast.removeAttribute("data-focus");
    toast.focus();
    return true;
  }

  function armToasts() {
    document.querySelectorAll("#toasts [data-toast]:not([data-armed])").forEach(
      (toast) => {
        toast.setAttribute("data-armed", "");
        if (!toast.hasAttribute("data-persistent")) {
          window.setTimeout(() => toast.remove(), AUTO_DISMISS_MS);
        }
      }
    );
  }

  // Focus inside a dismissed toast would fall back to the page's <body>.
  function focusListOrMain() {
    const target =
      document.getElementById("results-summary") || document.getElementById("main");
    if (target) target.focus();
  }

  document.addEventListener("click", (event) => {
    const closer = event.target.closest("[data-close-toast]");
    if (!closer) return;
    const toast = closer.closest("[data-toast]");
    const hadFocus = toast.contains(document.activeElement);
    toast.remove();
    if (hadFocus) focusListOrMain();
  });

  function showErrorToast(text) {
    const toasts = document.getElementById("toasts");
    const toast = document.createElement("div");
    toast.className = "toast toast-error";
    toast.setAttribute("data-toast", "");
    toast.setAttribute("role", "alert");
    toast.textContent = text;
    toasts.appendChild(toast);
    armToasts();
  }

  document.addEventListener("htmx:responseError", () => closeOpenDialog());
  document.addEventListener("htmx:sendError", () => {
    closeOpenDialog();
    showErrorToast(document.body.dataset.networkError || "Network error");
  });

  // Celebration -------------------------------------------------------------

  function playCelebration() {
    const celebration = document.querySelector("[data-celebration]");
    if (!celebration) return;
    const delay = reduceMotion.matches ? 0 : CELEBRATION_MS;
    window.setTimeout(() => celebration.remove(), delay);
  }

  // Selection ---------------------------------------------------------------

  function updateSelection() {
    const button = document.getElementById("archive-selected");
    if (!button) return;
    const count = document.querySelectorAll(".row-select:checked").length;
    button.textContent = button.dataset.labelTemplate.replace("__N__", count);
    button.disabled = count === 0;
  }

  document.addEventListener("change", (event) => {
    if (event.target.matches(".row-select")) updateSelection();
  });

  // List controls -----------------------------------------------------------

  // htmx snapshots a page as it leaves it, when the filters already show the
  // next view; after going back, set them again from the restored address.
  function syncListControls() {
    const form = document.getElementById("list-controls");
    if (!form) return;
    const params = new URLSearchParams(window.location.search);
    const status = params.get("status") || "";
    form.querySelectorAll('input[name="status"]').forEach((radio) => {
      radio.checked = radio.value === status;
    });
    form.elements.q.value = params.get("q") || "";
    form.elements.owner.value = params.get("owner") || "all";
  }

  document.addEventListener("htmx:historyRestore", syncListControls);

  // Row menus ---------------------------------------------------------------

  function closeRowMenus(except) {
    document.querySelectorAll("details.row-menu[open]").forEach((menu) => {
      if (menu !== except) menu.open = false;
    });
  }

  document.addEventListener("click", (event) => {
    closeRowMenus(event.target.closest("details.row-menu"));
  });

  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const menu = event.target.closest("details.row-menu[open]");
    if (menu) {
      menu.open = false;
      menu.querySelector("summary").focus();
    }
  });

  // After every swap --------------------------------------------------------

  // A swap may remove the focused element (a page link, a sort header, the
  // menu of a restored row), which drops focus to <body>.
  let focusedBeforeSwap = null;

  document.addEventListener("htmx:beforeSwap", () => {
    focusedBeforeSwap = document.activeElement;
  });

  function recoverLostFocus() {
    const lost = focusedBeforeSwap && !focusedBeforeSwap.isConnected;
    focusedBeforeSwap = null;
    const active = document.activeElement;
    if (lost && (!active || active === document.body)) focusListOrMain();
  }

  document.addEventListener("htmx:afterSettle", () => {
    openDialogIn(dialogHost());
    armToasts();
    playCelebration();
    updateSelection();
    if (!dialogHost().querySelector("dialog[open]")) focusNewToast();
    recoverLostFocus();
  });

  document.addEventListener("DOMContentLoaded", () => {
    updateSelection();
    armToasts();
  });
})();
