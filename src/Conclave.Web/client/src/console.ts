// The console's only script, for live pages (a meeting's lobby and participants): it asks
// the appliance every few seconds whether anything changed and reloads the page when it
// did — unless the person is typing into a form, which a reload would throw away.

const POLL_MS = 3000;

const live = document.querySelector<HTMLElement>("[data-live-url]");

function editing(): boolean {
  const active = document.activeElement;
  if (active instanceof HTMLInputElement || active instanceof HTMLTextAreaElement) return true;
  for (const field of document.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>("input:not([type=hidden]), textarea")) {
    if (field instanceof HTMLInputElement && (field.type === "checkbox" || field.type === "radio")) {
      if (field.checked !== field.defaultChecked) return true;
    } else if (field.value !== field.defaultValue) {
      return true;
    }
  }
  return false;
}

async function poll(url: string, seen: string): Promise<void> {
  try {
    const response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
    if (response.ok) {
      const now = await response.text();
      if (now !== seen && !editing()) {
        location.reload();
        return;
      }
    }
  } catch {
    // The appliance is unreachable for a moment; try again at the next tick.
  }
  window.setTimeout(() => void poll(url, seen), POLL_MS);
}

if (live) {
  const url = live.dataset.liveUrl!;
  const seen = live.dataset.liveState ?? "";
  window.setTimeout(() => void poll(url, seen), POLL_MS);
}
