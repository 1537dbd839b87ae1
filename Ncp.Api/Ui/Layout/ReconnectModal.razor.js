// The reconnect banner of ReconnectModal.razor. A modal dialog: nothing behind it can be used while the page has no server.
const modal = document.getElementById("components-reconnect-modal");

modal?.addEventListener("components-reconnect-state-changed", event => {
    if (event.detail.state === "hide") {
        modal.close();
    } else if (!modal.open) {
        modal.showModal();
    }
});

document.getElementById("ncp-reconnect-retry")?.addEventListener("click", async () => {
    try {
        // false: the server answered but no longer holds this page's circuit; only a reload helps.
        if (!await Blazor.reconnect()) {
            location.reload();
        }
    } catch {
        // Still unreachable: Blazor marks the dialog failed again and the officer may try once more.
    }
});

document.getElementById("ncp-reconnect-reload")?.addEventListener("click", () => location.reload());
