using Microsoft.Extensions.Diagnostics.HealthChecks;
using Ncp.Conventions;

namespace Ncp.Worker.Mail.Crypto;

/// <summary>
/// Degraded while a revocation list in <c>Mail:RevocationLists</c> cannot be read or is past its next update: the
/// gateway still honours what such a list revokes, but a certificate revoked since is not known to be, so an
/// administrator should fetch the partner CA's current list.
/// </summary>
public sealed class RevocationListCheck(RevocationLists lists, TimeProvider time) : IHealthCheck
{
    public const string Name = "revocation-lists";

    public RevocationListCheck(string folder, TimeProvider time)
        : this(new RevocationLists(folder), time)
    {
    }

    public RevocationLists Lists => lists;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var problems = lists.Problems(time.GetUtcNow());
        return Task.FromResult(problems.Count == 0
            ? HealthCheckResult.Healthy()
            : new HealthCheckResult(context.Registration.FailureStatus, string.Join("; ", problems)));
    }
}
