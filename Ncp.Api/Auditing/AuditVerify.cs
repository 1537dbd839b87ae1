using Npgsql;

namespace Ncp.Api.Auditing;

/// <summary><c>Ncp.Api audit verify</c> (<c>./ncp audit verify</c>): walks the whole chain; exits 1 naming the first broken entry.</summary>
public static class AuditVerify
{
    public const int Intact = 0;
    public const int Broken = 1;
    public const int NoLog = 2;

    public static async Task<int> RunAsync(IServiceProvider services, TextWriter output, CancellationToken ct)
    {
        AuditChain.Verdict verdict;
        try
        {
            verdict = await services.GetRequiredService<AuditChain>().VerifyAsync(ct);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            await output.WriteLineAsync($"audit verify: there is no audit log here ({e.MessageText}); apply the schema first (Ncp.Api migrate, ./ncp up)");
            return NoLog;
        }

        if (verdict.Intact)
        {
            await output.WriteLineAsync($"audit verify: the chain is intact ({verdict.Entries} entries)");
            return Intact;
        }

        await output.WriteLineAsync($"audit verify: BROKEN at entry {verdict.BrokenAt}: {verdict.Reason} ({verdict.Entries} entries before it are intact)");
        return Broken;
    }
}
