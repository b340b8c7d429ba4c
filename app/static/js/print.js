// Print buttons (data-print): the page's own script, since the Content-Security-Policy runs no inline handler.
document.querySelectorAll("[data-print]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
