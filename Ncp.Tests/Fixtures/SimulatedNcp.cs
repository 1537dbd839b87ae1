using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Ncp.Tests.Fixtures;

/// <summary>
/// The Api and the Worker on real servers, sharing one simulated clock that the test moves forward: months of
/// deadlines and escalations in minutes. It starts at the real time so that tokens and data periods are valid.
/// </summary>
public sealed class SimulatedNcp : NcpSystem
{
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));

    protected override void Override(IServiceCollection services) => services.AddSingleton<TimeProvider>(Clock);

    // A simulated year raises tens of thousands of escalations; they stay in the outbox instead of flooding the mail server.
    protected override void WorkerOverrides(IDictionary<string, string?> settings)
    {
        // No mail in or out on a simulated clock: the real servers keep real time.
        settings["Smtp:Host"] = "";
        settings["Imap:Host"] = "";
    }
}

[CollectionDefinition(Name)]
public sealed class SimulatedCollection : ICollectionFixture<SimulatedNcp>
{
    public const string Name = "simulated";
}
