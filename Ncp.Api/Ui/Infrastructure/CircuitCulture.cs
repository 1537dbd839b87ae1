using Microsoft.AspNetCore.Components.Server.Circuits;

namespace Ncp.Api.Ui.Infrastructure;

/// <summary>
/// Keeps a circuit in the officer's language for its whole life. Blazor Server takes the culture of the request that
/// opened the circuit, but not every render descends from that request: whatever the browser sends (a click, a dialog's
/// answer, a navigation) comes as an inbound activity, and each gets the officer's culture here. Renders the server starts
/// itself (live updates) take the culture their subscriber had (<see cref="Ncp.Api.Live.LiveUpdates"/>).
/// </summary>
public sealed class CircuitCulture(UiFormats formats) : CircuitHandler
{
    // Made with the circuit's scope, inside the request that opened it: the language RequestLocalization chose there.
    private readonly string language = UiCultures.Current;

    public override Func<CircuitInboundActivityContext, Task> CreateInboundActivityHandler(Func<CircuitInboundActivityContext, Task> next) =>
        async context =>
        {
            formats.Apply(language);
            await next(context);
        };
}
