// Poll an import's progress and reload the page when it has finished.
(function () {
  const box = document.querySelector("[data-progress-url]");
  if (!box) return;
  const bar = document.getElementById("import-progress");
  const stage = document.getElementById("import-stage");
  const percent = document.getElementById("import-percent");
  async function poll() {
    try {
      const response = await fetch(box.dataset.progressUrl, { headers: { Accept: "application/json" } });
      if (response.ok) {
        const run = await response.json();
        bar.value = run.progress;
        percent.textContent = run.progress;
        if (run.stage) stage.textContent = run.stage;
        if (run.finished) { window.location.reload(); return; }
      }
    } catch (error) { /* the next poll tries again */ }
    window.setTimeout(poll, 700);
  }
  window.setTimeout(poll, 300);
})();
